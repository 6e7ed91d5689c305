/**
 * The domain runs inside Temporal's workflow sandbox: no Node built-ins, no clock, no randomness, no
 * Intl (its time-zone data is not guaranteed there). A cheap static guard over the sources.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../../../domain');
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

describe('domain purity', () => {
  it.each(sources(root).map((f) => [f.slice(root.length + 1), f]))('%s uses no clock, randomness, Intl or Node built-ins', (_name, file) => {
    const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    expect(code).not.toMatch(/Date\.now|new Date\(|Math\.random|Intl\.|localeCompare|toLocale|process\.|require\(/);
    const imports = [...code.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    for (const spec of imports) expect(spec === 'zod' || spec!.startsWith('.')).toBe(true);
  });
});
