import crypto from 'node:crypto';
import { Identity } from '../../../api/identity';
import { parsePayloadKeys } from '../../../platform/codec';
import { keyIdOf, LEGACY_KEY_ID } from '../../../platform/sealing';
import { findPolicy } from '../../../domain/policies';
import { JourneyReadModel } from '../../../store/journeys';
import { PersonIndex } from '../../../store/persons';
import { resealStore } from '../../../store/reseal';
import type { JourneyState } from '../../../workflows/definitions';
import { Journey } from '../../../workflows/journey-state';
import { describeEachDatabase } from './databases';

/**
 * Issue 24, fault 9: the read model keeps no birth date in clear, and a key rotation re-seals every
 * sealed value in the store (also those the release before wrote) under the newest key id.
 */
const SECRET = 'legacy-secret-0123456789-0123456789-abcdef';
/** Sealed by the release before under SECRET (test/unit/platform/sealing.test.ts). */
const LEGACY_BSN = 'v1.06fl-1M6_JQZdQrGmEWotYQeNw94Ul8twEketxstkrXb7JP0uA';
const LEGACY_REF = 'v1.fXs0h-JqCiQzcOgRTk4P1bx524YrzWJXRj771RL9-NijQb4';
const BIRTH = '2009-04-17';

function projection(journeyId: string) {
  const journey = new Journey({ journeyId, municipality: 'borger-odoorn', regime: 'wi2021', permitGrantedOn: '2025-03-14', birthDate: BIRTH, policy: findPolicy('borger-odoorn')! }, undefined, () => Date.parse('2025-03-20T10:00:00Z'));
  return { ...journey.projection(journey.derive(), 'running', '2025-03-14T09:00:00.000Z'), seq: 1, journeyId, municipality: 'borger-odoorn' };
}

describeEachDatabase('sealed personal data in the store', (t) => {
  it('keeps the birth date sealed and bound to its journey in the read model, and answers it opened', async () => {
    const identity = new Identity(SECRET);
    const model = new JourneyReadModel(t.db(), undefined, identity);
    await model.write(projection('j-sealed-1'));
    const raw = await t.db().selectFrom('journeys').select('view').where('journey_id', '=', 'j-sealed-1').executeTakeFirstOrThrow();
    expect(raw.view).not.toContain(BIRTH);
    expect(raw.view).toMatch(/"birthDate":"v2\.secret\./);
    const stored = await model.get<JourneyState>('j-sealed-1');
    expect((stored!.view.milestones as { birthDate?: string }).birthDate).toBe(BIRTH);
    // The sealed view of one journey copied onto another's row does not give up the date.
    await model.write(projection('j-sealed-2'));
    await t.db().updateTable('journeys').set({ view: raw.view }).where('journey_id', '=', 'j-sealed-2').execute();
    expect((await model.get<JourneyState>('j-sealed-2'))!.view.milestones).not.toHaveProperty('birthDate');
  });

  it('re-seals under the newest key id what the release before and the previous key sealed', async () => {
    const db = t.db();
    // A row as the release before wrote it: the birth date in clear, the BSN without key id or binding.
    await new JourneyReadModel(db).write({ ...projection('j-old'), bsnCiphertext: LEGACY_BSN });
    await new PersonIndex(db).claim('borger-odoorn', 'pk-old', 'j-old', { refSealed: LEGACY_REF });
    // A row under the secret's key of this release.
    const before = new Identity(SECRET);
    await new JourneyReadModel(db, undefined, before).write({ ...projection('j-new'), bsnCiphertext: before.encryptBsn('j-new', '111222333') });

    const k2 = parsePayloadKeys(`k2:${crypto.randomBytes(32).toString('base64')}`);
    const rotated = new Identity(SECRET, k2);
    expect(await resealStore(db, rotated.keyring)).toEqual({ bsn: 2, birthDates: 2, personDetails: 1, sessionTokens: 0, failed: 0 });
    // Again: nothing left to do.
    expect(await resealStore(db, rotated.keyring)).toEqual({ bsn: 0, birthDates: 0, personDetails: 0, sessionTokens: 0, failed: 0 });

    const rows = await db.selectFrom('journeys').select(['journey_id', 'view', 'bsn_ciphertext']).orderBy('journey_id').execute();
    for (const row of rows) {
      expect(row.view).not.toContain(BIRTH);
      expect(keyIdOf(row.bsn_ciphertext!)).toBe('k2');
    }
    expect(keyIdOf(LEGACY_BSN)).toBe(LEGACY_KEY_ID);
    const model = new JourneyReadModel(db, undefined, rotated);
    const [oldRow, newRow] = await Promise.all([model.get<JourneyState>('j-old'), model.get<JourneyState>('j-new')]);
    expect(rotated.decryptBsn('j-old', oldRow!.bsnCiphertext!)).toBe('123456782');
    expect(rotated.decryptBsn('j-new', newRow!.bsnCiphertext!)).toBe('111222333');
    expect((oldRow!.view.milestones as { birthDate?: string }).birthDate).toBe(BIRTH);
    // Re-sealed, the old BSN is bound to its journey now: on another journey's row it does not open.
    expect(() => rotated.decryptBsn('j-new', oldRow!.bsnCiphertext!)).toThrow();
    const person = await new PersonIndex(db).person('j-old');
    expect(keyIdOf(person!.refSealed!)).toBe('k2');
    expect(rotated.unsealDetail('j-old', person!.refSealed!)).toBe('REF-001');
  });
});
