/**
 * The privacy scan's search (issue "privacy by design", extended by issue 23 to the BRP's answers): where
 * values that must never be at rest in clear (a BSN, a name, the BRP's answers) are found after all. Used
 * by the end-to-end privacy test on `npm start`'s data directory and by the chain's day test on the API
 * harness's store and the journey's Temporal history.
 */
import fs from 'node:fs';
import path from 'node:path';

/** A text and every base64 string in it decoded, so a value inside an encoded payload is found too. */
export function withDecodedBase64(text: string): string {
  const decoded = [...text.matchAll(/[A-Za-z0-9+/]{12,}={0,2}/g)].map((m) => Buffer.from(m[0], 'base64').toString('latin1'));
  return `${text}\n${decoded.join('\n')}`;
}

/** Every place where one of `values` appears: `<place>: <value's name>`; `places` maps a place's name to its text. */
export function foundIn(places: Record<string, string>, values: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [where, text] of Object.entries(places)) {
    for (const [name, value] of Object.entries(values)) if (text.includes(value)) found.push(`${where}: ${name}`);
  }
  return found;
}

/**
 * The SQLite store's files as bytes (latin1): `dbFile` and its write-ahead log and shared memory where they
 * exist, as `store <file name>` places for {@link foundIn}.
 */
export function storeFiles(dbFile: string): Record<string, string> {
  const dir = path.dirname(dbFile);
  const base = path.basename(dbFile);
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .filter((f) => f === base || f.startsWith(`${base}-`))
      .map((f) => [`store ${f}`, fs.readFileSync(path.join(dir, f)).toString('latin1')]),
  );
}
