/**
 * The policies the service knows, every version, each validated by PolicySchema when this module is
 * imported (a broken policy file fails at start, not in a running journey).
 */
import { PolicySchema, type Policy } from '../policy';
import borgerOdoornV1 from './borger-odoorn.v1.json';
import middenDrentheV1 from './midden-drenthe.v1.json';

function load(raw: unknown, file: string): Policy {
  const parsed = PolicySchema.safeParse(raw);
  if (!parsed.success) throw new Error(`invalid policy ${file}: ${parsed.error.message}`);
  return parsed.data;
}

/** Every version of every policy, ordered by id then version. */
export const policyCatalog: readonly Policy[] = Object.freeze(
  [load(borgerOdoornV1, 'borger-odoorn.v1.json'), load(middenDrentheV1, 'midden-drenthe.v1.json')].sort(
    (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.version - b.version),
  ),
);

/** A policy by id and version; the latest version when none is given. */
export function findPolicy(id: string, version?: number): Policy | undefined {
  const versions = policyCatalog.filter((p) => p.id === id);
  if (version === undefined) return versions[versions.length - 1];
  return versions.find((p) => p.version === version);
}

/** The latest version of each policy, ordered by id. */
export function latestPolicies(): Policy[] {
  const ids = [...new Set(policyCatalog.map((p) => p.id))];
  return ids.map((id) => findPolicy(id)).filter((p): p is Policy => p !== undefined);
}
