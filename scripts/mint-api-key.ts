/**
 * Mints an API key (32 random bytes, base64url: 256 bits) and prints it once, with the entry for
 * KOERS_API_KEYS_FILE that holds only its SHA-256 (what production mode takes). Hand the key to its
 * owner over a channel fit for secrets; it is stored nowhere.
 *
 *   npm run keys:mint -- --role partner --name brp-borger-odoorn --owner "Team BRP" \
 *     --purpose "BRP registrations" --expires 2027-12-31 --municipality borger-odoorn \
 *     --event-type nl.koers.brp.registered --source urn:nl:brp:borger-odoorn
 *
 * Repeatable options (--municipality, --event-type, --source, --team) add one value each.
 */
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    name: { type: 'string' },
    owner: { type: 'string' },
    purpose: { type: 'string' },
    expires: { type: 'string' },
    municipality: { type: 'string', multiple: true },
    'event-type': { type: 'string', multiple: true },
    source: { type: 'string', multiple: true },
    team: { type: 'string', multiple: true },
  },
});
for (const required of ['role', 'name', 'owner', 'purpose', 'expires'] as const) {
  if (!values[required]) {
    process.stderr.write(`--${required} is required (see scripts/mint-api-key.ts)\n`);
    process.exit(2);
  }
}
const key = crypto.randomBytes(32).toString('base64url');
const entry = {
  key: `sha256:${crypto.createHash('sha256').update(key).digest('hex')}`,
  role: values.role,
  name: values.name,
  owner: values.owner,
  purpose: values.purpose,
  expiresAt: values.expires,
  ...(values.municipality ? { municipalities: values.municipality } : {}),
  ...(values['event-type'] ? { eventTypes: values['event-type'] } : {}),
  ...(values.source ? { sources: values.source } : {}),
  ...(values.team ? { teams: values.team } : {}),
};
process.stdout.write(`key (give it to its owner; it is not stored): ${key}\nentry for KOERS_API_KEYS_FILE:\n${JSON.stringify(entry, null, 2)}\n`);
