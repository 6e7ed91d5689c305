import { documentOf, milestoneEvent, sourceFor } from '../../../web/pages/milestones';
import { periodText } from '../../../web/pages/policy';
import { personFacts, personOf } from '../../../web/person';
import { translator } from '../../../web/messages';
import type { PageContext } from '../../../web/layout';

const ctx: PageContext = { t: translator('nl'), lang: 'nl', url: '/app/journeys/j-1', csrfToken: 'token' };

describe("the web app's parts for a caseworker's day (issue 21)", () => {
  it('reads the person from the API answer, the dates from the facts where the answer has none', () => {
    expect(personOf({ personRef: 'BO-1', name: 'Amal Haddad', milestones: { permitGrantedOn: '2025-03-14', birthDate: '1990-05-01' } })).toEqual({
      personRef: 'BO-1',
      name: 'Amal Haddad',
      permitGrantedOn: '2025-03-14',
      birthDate: '1990-05-01',
    });
    expect(personOf({ person: { personRef: 'BO-2' }, personRef: 'other', birthDate: '' })).toEqual({ personRef: 'BO-2' });
  });

  it('shows the BSN only when asked for: before that the page has a button, not the number', () => {
    const person = { personRef: 'BO-1', bsn: '111222333', birthDate: '1990-05-01' };
    const hidden = personFacts(ctx, 'j-1', person, { showBsn: false }).toString();
    expect(hidden).not.toContain('111222333');
    expect(hidden).toContain('Toon BSN');
    expect(hidden).toContain('action="/app/journeys/j-1/bsn"');
    expect(hidden).toContain('1 mei 1990');
    expect(personFacts(ctx, 'j-1', person, { showBsn: true }).toString()).toContain('<span id="bsn-value">111222333</span>');
    expect(personFacts(ctx, 'j-1', { personRef: 'BO-1' }, { showBsn: false }).toString()).toContain('niet vastgelegd');
  });

  it('sends a milestone as a CloudEvent reported by the person, from the document it came from', () => {
    const now = new Date('2026-12-07T10:00:00Z');
    const report = milestoneEvent('nl.koers.pip.established', 'report', { occurredOn: '2026-12-01', leerroute: 'b1', document: 'brief', reason: 'ignored' }, now);
    expect(report).toMatchObject({ specversion: '1.0', type: 'nl.koers.pip.established', source: 'urn:nl:koers:staff:brief', time: '2026-12-07T10:00:00.000Z', data: { occurredOn: '2026-12-01', leerroute: 'b1' } });
    expect(report).not.toHaveProperty('koerscorrection');
    expect(report.data).not.toHaveProperty('reason');
    expect(report.id).toMatch(/^[0-9a-f-]{36}$/);
    // Every report is a new event: the same form twice is two reports, not a duplicate.
    expect(milestoneEvent('nl.koers.brp.registered', 'report', { occurredOn: '2026-12-01' }, now).id).not.toBe(milestoneEvent('nl.koers.brp.registered', 'report', { occurredOn: '2026-12-01' }, now).id);
  });

  it('asks a correction explicitly with its reason, and a withdrawal withdraws with the date only', () => {
    const now = new Date('2026-12-07T10:00:00Z');
    const correction = milestoneEvent('nl.koers.duo.notified', 'correct', { occurredOn: '2026-11-20', document: 'duo-portaal', reason: 'datum van de brief' }, now);
    expect(correction).toMatchObject({ koerscorrection: true, koersreason: 'datum van de brief', data: { occurredOn: '2026-11-20' }, source: 'urn:nl:koers:staff:duo-portaal' });
    const withdrawal = milestoneEvent('nl.koers.exam.passed', 'withdraw', { occurredOn: '2026-11-20', route: 'b1', reason: 'ander dossier' }, now);
    expect(withdrawal).toMatchObject({ koerscorrection: true, koersreason: 'ander dossier' });
    expect(withdrawal.data).toEqual({ occurredOn: '2026-11-20', withdrawn: true });
  });

  it('reads the document back from a staff source only', () => {
    expect(documentOf(sourceFor('duo-portaal'))).toBe('duo-portaal');
    expect(documentOf('urn:nl:koers:staff')).toBeUndefined();
    expect(documentOf('urn:nl:koers:staff:<script>')).toBeUndefined();
    expect(documentOf('urn:nl:duo')).toBeUndefined();
  });

  it("says a policy's periods in words", () => {
    const t = translator('nl');
    expect(periodText(t, { months: 3 })).toBe('3 maanden');
    expect(periodText(t, { days: 14 })).toBe('14 dagen');
    expect(periodText(t, { years: 1, weeks: 2 })).toBe('1 jaar + 2 weken');
  });
});
