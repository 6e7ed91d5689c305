/**
 * Sealing: the AES-256-GCM envelopes Koers keeps personal data in at rest (the BSN, the person index's
 * reference and name, the read model's birth date, what a web session keeps of the identity provider's
 * tokens). node:crypto's primitives; the envelope is ours:
 *
 *     v2.<key id>.<base64url(iv ‖ tag ‖ ciphertext)>
 *
 * - **A key per purpose**: each purpose's key is HKDF-SHA256 of a root with the purpose as label, so a
 *   key of one purpose opens nothing of another.
 * - **Key ids**: the envelope names its root (`secret`: KOERS_SECRET_KEY; others: KOERS_SEALING_KEYS).
 *   The first configured root seals, every root opens: a rotation adds a root in front, re-seals
 *   (`npm run reseal`, scripts/reseal.ts) and then drops the old one.
 * - **Associated data**: purpose, key id and what the text belongs to (a journey id) are authenticated,
 *   so an envelope copied to another journey's row, or to another purpose's column, does not open.
 * - **Fixed tag length** (16 bytes) on opening: a truncated tag is refused, not accepted as shorter.
 *
 * Envelopes of earlier releases (`v1.`: no key id, no associated data) open with the secret's keys of
 * then ({@link LEGACY_KEY_ID}); re-sealing turns them into v2.
 */
import crypto from 'node:crypto';
import type { PayloadKey } from './codec';

/** What a sealed text is; each has its own key. */
export type SealPurpose = 'bsn' | 'person-details' | 'web-session' | 'birth-date';

/** The key id of the root derived from KOERS_SECRET_KEY. */
export const SECRET_KEY_ID = 'secret';
/** The key id reported for an envelope of an earlier release (`v1.`, sealed under the secret without a key id). */
export const LEGACY_KEY_ID = 'legacy';

/** The HKDF labels the earlier release used, so its envelopes keep opening. */
const LEGACY_LABELS: Partial<Record<SealPurpose, string>> = {
  bsn: 'bsn-aes-256-gcm',
  'person-details': 'person-details-aes-256-gcm',
  'web-session': 'web-session-aes-256-gcm',
};

const IV_BYTES = 12;
const TAG_BYTES = 16;
const PURPOSES: readonly SealPurpose[] = ['bsn', 'person-details', 'web-session', 'birth-date'];

/** An envelope that does not open: wrong key, another journey's, altered, or not an envelope. */
export class SealError extends Error {}

/**
 * The keys that seal and open, derived from the server secret and any configured sealing roots.
 * `roots` (KOERS_SEALING_KEYS, `id:base64`): the first seals; without them the secret's root seals.
 */
export class Keyring {
  private readonly keys = new Map<string, Map<SealPurpose, Buffer>>();
  private readonly legacy = new Map<SealPurpose, Buffer>();
  /** The key id new envelopes carry. */
  readonly currentKeyId: string;

  constructor(secret: string, roots: readonly PayloadKey[] = []) {
    for (const root of roots) {
      if (root.id === SECRET_KEY_ID || root.id === LEGACY_KEY_ID) throw new SealError(`sealing key id "${root.id}" is reserved`);
      this.keys.set(root.id, derive(root.key));
    }
    this.keys.set(SECRET_KEY_ID, derive(Buffer.from(secret, 'utf8')));
    for (const [purpose, label] of Object.entries(LEGACY_LABELS) as Array<[SealPurpose, string]>) {
      this.legacy.set(purpose, Buffer.from(crypto.hkdfSync('sha256', secret, 'koers', label, 32)));
    }
    this.currentKeyId = roots[0]?.id ?? SECRET_KEY_ID;
  }

  /** Seals `text` for `purpose`, bound to `boundTo` (a journey id; '' for what belongs to nothing). */
  seal(purpose: SealPurpose, text: string, boundTo: string): string {
    const key = this.keys.get(this.currentKeyId)!.get(purpose)!;
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(purpose, this.currentKeyId, boundTo));
    const ciphertext = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return `v2.${this.currentKeyId}.${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url')}`;
  }

  /** The text of {@link seal}'s envelope; throws a SealError when it does not open for this purpose and binding. */
  open(purpose: SealPurpose, sealed: string, boundTo: string): string {
    const { keyId, raw } = parse(sealed);
    const key = keyId === LEGACY_KEY_ID ? this.legacy.get(purpose) : this.keys.get(keyId)?.get(purpose);
    if (!key) throw new SealError(`sealed with key id "${keyId.slice(0, 32)}", which is not configured`);
    if (raw.length < IV_BYTES + TAG_BYTES) throw new SealError('sealed text is too short');
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      // An earlier release's envelope had no associated data: it opens without the binding.
      if (keyId !== LEGACY_KEY_ID) decipher.setAAD(associatedData(purpose, keyId, boundTo));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SealError('sealed text does not authenticate (another key, another journey, or altered)');
    }
  }

  /** Whether an envelope is sealed under another key than the current one (or is an earlier release's): re-sealing changes it. */
  isStale(sealed: string): boolean {
    return keyIdOf(sealed) !== this.currentKeyId;
  }

  /** Opens and seals again under the current key; unchanged when it already is. */
  reseal(purpose: SealPurpose, sealed: string, boundTo: string): string {
    return this.isStale(sealed) ? this.seal(purpose, this.open(purpose, sealed, boundTo), boundTo) : sealed;
  }
}

/** The key id an envelope names ({@link LEGACY_KEY_ID} for an earlier release's). */
export function keyIdOf(sealed: string): string {
  return parse(sealed).keyId;
}

function parse(sealed: string): { keyId: string; raw: Buffer } {
  const v2 = /^v2\.([A-Za-z0-9._-]{1,32})\.([A-Za-z0-9_-]+)$/.exec(sealed);
  if (v2) return { keyId: v2[1]!, raw: Buffer.from(v2[2]!, 'base64url') };
  const v1 = /^v1\.([A-Za-z0-9_-]+)$/.exec(sealed);
  if (v1) return { keyId: LEGACY_KEY_ID, raw: Buffer.from(v1[1]!, 'base64url') };
  throw new SealError('not a sealed text');
}

function derive(root: Buffer): Map<SealPurpose, Buffer> {
  return new Map(PURPOSES.map((purpose) => [purpose, Buffer.from(crypto.hkdfSync('sha256', root, 'koers-sealing', `seal/${purpose}/aes-256-gcm`, 32))]));
}

function associatedData(purpose: SealPurpose, keyId: string, boundTo: string): Buffer {
  return Buffer.from(`koers\u0000${purpose}\u0000${keyId}\u0000${boundTo}`, 'utf8');
}
