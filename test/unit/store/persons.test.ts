/** The person index: one journey per person per municipality, kept through moves and concurrent creates. */
import { PersonIndex } from '../../../store/persons';
import { describeEachDatabase } from './databases';

describeEachDatabase('person index', (t) => {
  it('claims once per person and municipality; a retried create of the same journey goes on', async () => {
    const persons = new PersonIndex(t.db());
    expect(await persons.claim('borger-odoorn', 'k-anna', 'j-anna-bo')).toEqual({ claimed: true });
    // Not started yet (the start failed): the same create again may go on.
    expect(await persons.claim('borger-odoorn', 'k-anna', 'j-anna-bo')).toEqual({ claimed: true });
    await persons.started('j-anna-bo');
    await persons.started('j-anna-bo');
    // Started: a conflict, whatever Temporal still remembers of the run.
    expect(await persons.claim('borger-odoorn', 'k-anna', 'j-anna-bo')).toEqual({ claimed: false, journeyId: 'j-anna-bo', by: 'personRef' });
    expect(await persons.claim('midden-drenthe', 'k-anna', 'j-anna-md')).toEqual({ claimed: true });
    expect(await persons.claim('borger-odoorn', 'k-bram', 'j-bram-bo')).toEqual({ claimed: true });
    const rows = await t.db().selectFrom('person_index').select(['municipality', 'person_key', 'journey_id']).orderBy('journey_id').execute();
    expect(rows).toHaveLength(3);
    // Only the keyed hash the caller gives is stored.
    expect(rows.map((r) => r.person_key).sort()).toEqual(['k-anna', 'k-anna', 'k-bram']);
  });

  it('follows a move: the person then has the moved journey in the new municipality, and none in the old', async () => {
    const persons = new PersonIndex(t.db());
    await persons.claim('borger-odoorn', 'k-anna', 'j-anna-bo');
    await persons.started('j-anna-bo');
    expect(await persons.move('j-anna-bo', 'midden-drenthe')).toEqual({ moved: true });
    expect(await persons.municipalityOf('j-anna-bo')).toBe('midden-drenthe');
    expect(await persons.claim('midden-drenthe', 'k-anna', 'j-anna-md')).toEqual({ claimed: false, journeyId: 'j-anna-bo', by: 'personRef' });
    // Back in the first municipality the derived id is the moved journey's own: still that journey.
    expect(await persons.claim('borger-odoorn', 'k-anna', 'j-anna-bo')).toEqual({ claimed: false, journeyId: 'j-anna-bo' });
  });

  it('refuses a move to where the person already has a journey, and leaves both entries', async () => {
    const persons = new PersonIndex(t.db());
    await persons.claim('borger-odoorn', 'k-anna', 'j-anna-bo');
    await persons.claim('midden-drenthe', 'k-anna', 'j-anna-md');
    expect(await persons.move('j-anna-bo', 'midden-drenthe')).toEqual({ moved: false, journeyId: 'j-anna-md' });
    expect(await persons.municipalityOf('j-anna-bo')).toBe('borger-odoorn');
    // A journey started before the index existed is moved without an entry.
    expect(await persons.move('j-unindexed', 'midden-drenthe')).toEqual({ moved: true });
  });

  it('lets one of many concurrent claims for a person win, also across instances', async () => {
    const stores = t.kind === 'postgres' ? [t.db(), t.openAnother(), t.openAnother()] : [t.db()];
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => new PersonIndex(stores[i % stores.length]!).claim('borger-odoorn', 'k-race', `j-race-${i}`)));
    const winners = results.filter((r) => r.claimed);
    expect(winners).toHaveLength(1);
    const winner = results.findIndex((r) => r.claimed);
    expect(results.filter((r) => !r.claimed)).toEqual(Array.from({ length: 11 }, () => ({ claimed: false, journeyId: `j-race-${winner}`, by: 'personRef' })));
  });
});
