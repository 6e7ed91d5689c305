/**
 * Re-sealing (key rotation, platform/sealing.ts): every sealed value in the store opened and sealed
 * again under the current key, bound to its journey: the BSN and the birth dates of the read model, the
 * person index's reference and name, the web sessions' tokens. Envelopes of the release before (no key
 * id, no binding) become bound ones; birth dates a read model row of that release kept in clear are
 * sealed. Idempotent and resumable: a value already under the current key is left alone. `npm run reseal`.
 *
 * Not reached: the BSN envelope in a journey's start input inside Temporal's history (immutable; the
 * payload codec's own key guards it, and the API reads the store's copy first), and the sealed sign-in
 * cookie of a sign-in under way (minutes).
 */
import type { Keyring } from '../platform/sealing';
import type { Db } from './db';
import { mapBirthDates } from './journeys';

/** What one run changed, per column; `failed`: values that opened under no configured key (left as they were). */
export interface ResealCounts {
  bsn: number;
  birthDates: number;
  personDetails: number;
  sessionTokens: number;
  failed: number;
}

const BATCH = 500;

/** Re-seals every stale value in the store under `keyring`'s current key (see the module comment). */
export async function resealStore(db: Db, keyring: Keyring): Promise<ResealCounts> {
  const counts: ResealCounts = { bsn: 0, birthDates: 0, personDetails: 0, sessionTokens: 0, failed: 0 };
  const reseal = (purpose: Parameters<Keyring['reseal']>[0], sealed: string, boundTo: string): string => {
    try {
      return keyring.reseal(purpose, sealed, boundTo);
    } catch {
      counts.failed++;
      return sealed;
    }
  };

  for (let after = ''; ; ) {
    const rows = await db.selectFrom('journeys').select(['journey_id', 'bsn_ciphertext', 'view']).where('journey_id', '>', after).orderBy('journey_id').limit(BATCH).execute();
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.journey_id;
    for (const row of rows) {
      let dates = 0;
      const view = JSON.stringify(
        mapBirthDates(JSON.parse(row.view), (date) => {
          const next = date.startsWith('v1.') || date.startsWith('v2.') ? reseal('birth-date', date, row.journey_id) : keyring.seal('birth-date', date, row.journey_id);
          if (next !== date) dates++;
          return next;
        }),
      );
      const bsn = row.bsn_ciphertext === null ? null : reseal('bsn', row.bsn_ciphertext, row.journey_id);
      if (dates === 0 && bsn === row.bsn_ciphertext) continue;
      // Only the sealed values change: the row's seq and view otherwise stay what the journey wrote.
      await db.updateTable('journeys').set({ view, bsn_ciphertext: bsn }).where('journey_id', '=', row.journey_id).where('view', '=', row.view).execute();
      counts.birthDates += dates;
      if (bsn !== row.bsn_ciphertext) counts.bsn++;
    }
  }

  for (let after = ''; ; ) {
    const rows = await db.selectFrom('person_index').select(['journey_id', 'ref_sealed', 'name_sealed']).where('journey_id', '>', after).orderBy('journey_id').limit(BATCH).execute();
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.journey_id;
    for (const row of rows) {
      const ref = row.ref_sealed === null ? null : reseal('person-details', row.ref_sealed, row.journey_id);
      const name = row.name_sealed === null ? null : reseal('person-details', row.name_sealed, row.journey_id);
      if (ref === row.ref_sealed && name === row.name_sealed) continue;
      await db.updateTable('person_index').set({ ref_sealed: ref, name_sealed: name }).where('journey_id', '=', row.journey_id).execute();
      counts.personDetails += Number(ref !== row.ref_sealed) + Number(name !== row.name_sealed);
    }
  }

  for (let after = ''; ; ) {
    const rows = await db.selectFrom('web_sessions').select(['id_hash', 'refresh_token', 'id_token']).where('id_hash', '>', after).orderBy('id_hash').limit(BATCH).execute();
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.id_hash;
    for (const row of rows) {
      const refresh = row.refresh_token === null ? null : reseal('web-session', row.refresh_token, '');
      const id = row.id_token === null ? null : reseal('web-session', row.id_token, '');
      if (refresh === row.refresh_token && id === row.id_token) continue;
      await db.updateTable('web_sessions').set({ refresh_token: refresh, id_token: id }).where('id_hash', '=', row.id_hash).execute();
      counts.sessionTokens += Number(refresh !== row.refresh_token) + Number(id !== row.id_token);
    }
  }
  return counts;
}
