import { EVENT_TYPES } from '../../../domain/events';
import { PolicySchema } from '../../../domain/policy';
import { findPolicy } from '../../../domain/policies';
import { DEFAULT_CASEWORKER_MILESTONES, MILESTONES_IN_FORM_ORDER, mayReportMilestone, reportableMilestones } from '../../../domain/reporting';

describe('who may report and correct milestones (contract v1.2, "Staff report milestones too")', () => {
  it('by default lets caseworkers report and correct what arrives by letter or portal, bijstand.* included, not the re-integration start', () => {
    const allowed = reportableMilestones(undefined, 'caseworker', false);
    expect([...allowed].sort()).toEqual(EVENT_TYPES.filter((t) => t !== 'nl.koers.reintegration.started').sort());
    expect(mayReportMilestone(undefined, 'caseworker', 'nl.koers.bijstand.decided', true)).toBe(true);
    expect(mayReportMilestone(undefined, 'caseworker', 'nl.koers.reintegration.started', false)).toBe(false);
    expect(DEFAULT_CASEWORKER_MILESTONES).toContain('nl.koers.bijstand.*');
  });

  it("follows the municipality's configuration per event type, reports and corrections apart", () => {
    const reporting = { caseworker: { report: ['nl.koers.brp.registered', 'nl.koers.bijstand.*'], correct: ['nl.koers.brp.registered'] } };
    // `bijstand.*` takes the v1.2 suspension events too: the caseworker's road in for Awb 4:15.
    expect(reportableMilestones(reporting, 'caseworker', false)).toEqual([
      'nl.koers.brp.registered',
      'nl.koers.bijstand.applied',
      'nl.koers.bijstand.decided',
      'nl.koers.bijstand.ended',
      'nl.koers.bijstand.completion-requested',
      'nl.koers.bijstand.completed',
    ]);
    expect(reportableMilestones(reporting, 'caseworker', true)).toEqual(['nl.koers.brp.registered']);
    expect(mayReportMilestone(reporting, 'caseworker', 'nl.koers.exam.passed', false)).toBe(false);
  });

  it('lets admins report and correct every type', () => {
    const none = { caseworker: { report: [], correct: [] } };
    expect([...reportableMilestones(none, 'admin', true)].sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('is policy data: a pattern that names no event type is refused when the policy loads', () => {
    const base = findPolicy('borger-odoorn')!;
    expect(PolicySchema.safeParse({ ...base, milestoneReporting: { caseworker: { report: ['nl.koers.brp.registered'], correct: [] } } }).success).toBe(true);
    const wrong = PolicySchema.safeParse({ ...base, milestoneReporting: { caseworker: { report: ['nl.koers.brp.registred'], correct: [] } } });
    expect(wrong.success).toBe(false);
    expect(wrong.error?.issues[0]?.path).toEqual(['milestoneReporting', 'caseworker', 'report', 0]);
  });
});

describe('the order forms offer milestones in', () => {
  it('lists every event type once, what arrives by letter or portal (the contract default) first', () => {
    expect([...MILESTONES_IN_FORM_ORDER].sort()).toEqual([...EVENT_TYPES].sort());
    const byDefault = EVENT_TYPES.filter((t) => mayReportMilestone(undefined, 'caseworker', t, false));
    expect(MILESTONES_IN_FORM_ORDER.slice(0, byDefault.length).sort()).toEqual([...byDefault].sort());
    expect(MILESTONES_IN_FORM_ORDER[0]).toBe('nl.koers.brp.registered');
    expect(reportableMilestones(undefined, 'caseworker', false)).toEqual(MILESTONES_IN_FORM_ORDER.slice(0, byDefault.length));
  });
});
