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

  it('keeps one journey per BSN key per municipality, also for concurrent creates and moves (contract v1.2)', async () => {
    const persons = new PersonIndex(t.db());
    const claims = await Promise.all(['j-1', 'j-2', 'j-3'].map((id, i) => persons.claim('borger-odoorn', `k-ref-${i}`, id, { bsnKey: 'b-anna' })));
    const winners = claims.filter((c) => c.claimed);
    expect(winners).toHaveLength(1);
    const first = ['j-1', 'j-2', 'j-3'][claims.findIndex((c) => c.claimed)]!;
    expect(claims.filter((c) => !c.claimed)).toEqual([
      { claimed: false, journeyId: first, by: 'bsn' },
      { claimed: false, journeyId: first, by: 'bsn' },
    ]);
    await persons.started(first);
    // Another municipality: the same person may have a journey there too.
    expect(await persons.claim('midden-drenthe', 'k-ref-9', 'j-md', { bsnKey: 'b-anna' })).toEqual({ claimed: true });
    await persons.started('j-md');
    expect(await persons.move('j-md', 'borger-odoorn')).toEqual({ moved: false, journeyId: first });
    expect(await persons.duplicates('borger-odoorn', { bsnKey: 'b-anna', personKey: 'k-ref-0' })).toEqual(
      expect.arrayContaining([{ journeyId: first, matchedOn: first === 'j-1' ? ['personRef', 'bsn'] : ['bsn'] }]),
    );
  });

  it('finds persons by reference, BSN or every name word, within the municipalities given, and forgets an erased one', async () => {
    const persons = new PersonIndex(t.db());
    await persons.claim('borger-odoorn', 'k-a', 'j-a', { bsnKey: 'b-a', refKey: 'r-a', refSealed: 'sealed-ref', nameSealed: 'sealed-name', nameKeys: ['n-fatima', 'n-el', 'n-idrissi'] });
    await persons.claim('midden-drenthe', 'k-b', 'j-b', { refKey: 'r-b', nameKeys: ['n-fatima', 'n-haile'] });
    await persons.started('j-a');
    await persons.started('j-b');
    expect(await persons.search({ refKey: 'r-a' }, undefined)).toEqual([
      { journeyId: 'j-a', municipality: 'borger-odoorn', refSealed: 'sealed-ref', nameSealed: 'sealed-name', hasBsn: true, matchedOn: ['personRef'] },
    ]);
    expect((await persons.search({ nameKeys: ['n-fatima'] }, undefined)).map((p) => p.journeyId)).toEqual(['j-a', 'j-b']);
    expect((await persons.search({ nameKeys: ['n-fatima', 'n-haile'] }, undefined)).map((p) => p.journeyId)).toEqual(['j-b']);
    expect((await persons.search({ nameKeys: ['n-fatima'] }, ['borger-odoorn'])).map((p) => p.journeyId)).toEqual(['j-a']);
    expect(await persons.search({ bsnKey: 'b-a' }, [])).toEqual([]);
    expect((await persons.search({ bsnKey: 'b-a', nameKeys: ['n-haile'] }, undefined)).map((p) => [p.journeyId, p.matchedOn])).toEqual([
      ['j-a', ['bsn']],
      ['j-b', ['name']],
    ]);
    await persons.forget('j-a');
    expect(await persons.search({ bsnKey: 'b-a' }, undefined)).toEqual([]);
    expect(await persons.claim('borger-odoorn', 'k-a', 'j-a2', { bsnKey: 'b-a' })).toEqual({ claimed: true });
  });
});
