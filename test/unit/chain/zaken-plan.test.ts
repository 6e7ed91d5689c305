/** What a journey step tells its zaak (chain/zaken/plan.ts): the mapping from journey to Zaken API changes. */
import { planStep, zaakIdentificatie, type JourneyStep, type ZaakRecord } from '../../../chain/zaken';

const configured = (municipality: string) => municipality === 'borger-odoorn' || municipality === 'midden-drenthe';
let ids = 0;
const newId = () => `zaak-${++ids}`;
const step = (over: Partial<JourneyStep> = {}): JourneyStep => ({
  journeyId: 'j-abc',
  municipality: 'borger-odoorn',
  phase: 'arrival',
  runStatus: 'running',
  inburgeringFinalDate: '2028-03-14',
  today: '2026-01-05',
  at: '2026-01-05T09:00:00.000Z',
  ...over,
});
/** Applies a plan's rows, as the registration's table would, and returns the journey's newest zaak. */
const after = (plan: ReturnType<typeof planStep>, current?: ZaakRecord): ZaakRecord | undefined => plan.records[plan.records.length - 1] ?? current;

describe('a journey step as Zaken API changes', () => {
  it('creates the zaak with its identificatie, startdatum and final date, then the person by BSN and the status of the phase, in that order', () => {
    const plan = planStep(step({ bsnSealed: 'v1.sealed' }), undefined, configured, newId, 0);
    expect(plan.messages.map((m) => m.message.kind)).toEqual(['zaak-create', 'zaak-rol', 'zaak-status']);
    expect(plan.messages.map((m) => m.sequence)).toEqual([1, 2, 3]);
    const [create, rol, status] = plan.messages.map((m) => m.message);
    expect(create).toMatchObject({ identificatie: zaakIdentificatie('j-abc', 1), startdatum: '2026-01-05', uiterlijkeEinddatumAfdoening: '2028-03-14', municipality: 'borger-odoorn' });
    expect(rol).toEqual(expect.objectContaining({ bsnSealed: 'v1.sealed' }));
    expect(status).toMatchObject({ phase: 'arrival', datumStatusGezet: '2026-01-05T09:00:00.000Z' });
    expect(plan.messages[0]!.idempotencyKey).toBe(`zaak:${create!.zaakId}:1`);
    expect(zaakIdentificatie('j-MEfza9SmMPmw0W32kGV8xo', 12).length).toBeLessThanOrEqual(40);
    // Nothing names the BSN but the sealed rol.
    expect(JSON.stringify([create, status])).not.toContain('sealed');
  });

  it('adds no person without a BSN, and nothing at all where the municipality has no zaak registration', () => {
    expect(planStep(step(), undefined, configured, newId, 0).messages.map((m) => m.message.kind)).toEqual(['zaak-create', 'zaak-status']);
    expect(planStep(step({ municipality: 'assen' }), undefined, configured, newId, 0)).toEqual({ records: [], messages: [] });
  });

  it('queues nothing for a step that changes nothing the zaak holds, a status for a new phase, a PATCH for a moved final date', () => {
    const first = planStep(step({ bsnSealed: 'v1.sealed' }), undefined, configured, newId, 0);
    const zaak = after(first)!;
    expect(planStep(step({ bsnSealed: 'v1.sealed', at: '2026-01-06T09:00:00.000Z' }), zaak, configured, newId, 1)).toEqual({ records: [], messages: [] });
    const intake = planStep(step({ phase: 'intake' }), zaak, configured, newId, 1);
    expect(intake.messages.map((m) => [m.message.kind, m.sequence])).toEqual([['zaak-status', 4]]);
    const moved = planStep(step({ phase: 'intake', inburgeringFinalDate: '2028-09-14' }), after(intake, zaak), configured, newId, 1);
    expect(moved.messages.map((m) => m.message)).toEqual([expect.objectContaining({ kind: 'zaak-update', uiterlijkeEinddatumAfdoening: '2028-09-14' })]);
  });

  it('ends the zaak with the way the journey ended, once, and reopens it when the journey runs again', () => {
    const zaak = after(planStep(step({ phase: 'inburgering' }), undefined, configured, newId, 0))!;
    const end = planStep(step({ phase: 'plicht-met', runStatus: 'completed' }), zaak, configured, newId, 1);
    expect(end.messages.map((m) => m.message)).toEqual([expect.objectContaining({ kind: 'zaak-status', phase: 'plicht-met' }), expect.objectContaining({ kind: 'zaak-end', end: 'plicht-met' })]);
    const closed = after(end, zaak)!;
    expect(closed.state).toBe('closed');
    expect(planStep(step({ phase: 'plicht-met', runStatus: 'completed' }), closed, configured, newId, 1).messages).toEqual([]);
    const reopened = planStep(step({ phase: 'plicht-met', runStatus: 'running' }), closed, configured, newId, 1);
    expect(reopened.messages.map((m) => m.message)).toEqual([expect.objectContaining({ kind: 'zaak-status', phase: 'plicht-met' })]);
    expect(after(reopened, closed)!.state).toBe('open');
    const exempted = planStep(step({ phase: 'intake', runStatus: 'completed' }), after(planStep(step({ phase: 'intake' }), undefined, configured, newId, 0)), configured, newId, 1);
    expect(exempted.messages.map((m) => m.message)).toEqual([expect.objectContaining({ kind: 'zaak-end', end: 'closed' })]);
  });

  it('hands the zaak over on a move: the old one ends as moved, the new municipality gets its own zaak', () => {
    const old = after(planStep(step({ phase: 'inburgering', bsnSealed: 'v1.sealed' }), undefined, configured, newId, 0))!;
    const move = planStep(step({ phase: 'inburgering', municipality: 'midden-drenthe', today: '2026-04-01' }), old, configured, newId, 1);
    expect(move.messages.map((m) => [m.message.kind, m.message.municipality])).toEqual([
      ['zaak-end', 'borger-odoorn'],
      ['zaak-create', 'midden-drenthe'],
      ['zaak-status', 'midden-drenthe'],
    ]);
    expect(move.messages[0]!.message).toMatchObject({ zaakId: old.id, end: 'moved' });
    expect(move.messages[1]!.message).toMatchObject({ identificatie: zaakIdentificatie('j-abc', 2), startdatum: '2026-04-01' });
    expect(move.records.map((r) => [r.municipality, r.state])).toEqual([
      ['borger-odoorn', 'closed'],
      ['midden-drenthe', 'open'],
    ]);
    // To a municipality without a registration: the old zaak ends, no new one.
    expect(planStep(step({ phase: 'inburgering', municipality: 'assen' }), old, configured, newId, 1).messages.map((m) => m.message.kind)).toEqual(['zaak-end']);
  });
});

describe('every way a journey stops reaches its zaak', () => {
  it('ends the zaak with the reason a journey ended for (the BRP: died, emigrated), once', () => {
    const zaak = after(planStep(step({ phase: 'inburgering' }), undefined, configured, newId, 0))!;
    const end = planStep(step({ phase: 'inburgering', runStatus: 'completed', endReason: 'deceased' }), zaak, configured, newId, 1);
    expect(end.messages.map((m) => m.message)).toEqual([expect.objectContaining({ kind: 'zaak-end', end: 'deceased' })]);
    expect(planStep(step({ phase: 'inburgering', runStatus: 'completed', endReason: 'deceased' }), after(end, zaak), configured, newId, 1).messages).toEqual([]);
  });

  it('closes the zaak of a run that failed, was terminated or timed out (closed, whatever the phase), once; a failing workflow task is no stop', () => {
    for (const runStatus of ['failed', 'terminated', 'timed-out', 'canceled']) {
      const zaak = after(planStep(step({ phase: 'plicht-met' }), undefined, configured, newId, 0))!;
      const stop = planStep(step({ phase: 'plicht-met', runStatus }), zaak, configured, newId, 1);
      expect(stop.messages.map((m) => m.message)).toEqual([expect.objectContaining({ kind: 'zaak-end', end: 'closed' })]);
      expect(planStep(step({ phase: 'plicht-met', runStatus }), after(stop, zaak), configured, newId, 1).messages).toEqual([]);
    }
    const zaak = after(planStep(step({ phase: 'intake' }), undefined, configured, newId, 0))!;
    expect(planStep(step({ phase: 'intake', runStatus: 'workflow-task-failing' }), zaak, configured, newId, 1).messages).toEqual([]);
  });
});
