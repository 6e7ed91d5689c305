/**
 * Who may report and correct which milestones (contract v1.2, "Staff report milestones too"). A
 * partner sends the types its key names (api/auth.ts); an administrator every type; a caseworker of
 * the journey's municipality the types the municipality allows that role, configured per event type in
 * its policy (`milestoneReporting`) and by default those that arrive at the municipality by letter or
 * portal. A correction (a fact that replaces what was reported) is allowed by the same configuration.
 */
import { z } from 'zod';
import { EVENT_TYPES, type EventType } from './events';

/** An event type, or a family of them with a final `*` (`nl.koers.bijstand.*`). */
const EventTypePatternSchema = z
  .string()
  .regex(/^nl\.koers\.[a-z0-9.-]+(?:\.\*)?$/, 'must be an event type (nl.koers.…) or a family ending in .*')
  .refine((p) => EVENT_TYPES.some((t) => matches(p, t)), 'matches no event type');

/** A role's rights: the types it may report, and those it may correct (a list of types or families). */
export const ReportingRightsSchema = z.strictObject({
  report: z.array(EventTypePatternSchema).max(50),
  correct: z.array(EventTypePatternSchema).max(50),
});
export type ReportingRights = z.infer<typeof ReportingRightsSchema>;

/** The policy's `milestoneReporting`: rights per staff role of the API (only caseworkers are configured; admins may do all). */
export const MilestoneReportingSchema = z.strictObject({ caseworker: ReportingRightsSchema });
export type MilestoneReporting = z.infer<typeof MilestoneReportingSchema>;

/**
 * The contract's default (v1.2): what reaches a municipality by letter or portal (BRP, DUO, the
 * bijstand file, the intake, the PIP, PVT, MAP, exams, DUO's exemptions and extensions, diplomas,
 * the alphabetisation course). Not `reintegration.started`: that is the municipality's own instrument
 * (POST /v1/journeys/{id}/instruments).
 */
export const DEFAULT_CASEWORKER_MILESTONES: readonly string[] = [
  'nl.koers.brp.registered',
  'nl.koers.duo.notified',
  'nl.koers.bijstand.*',
  'nl.koers.intake.held',
  'nl.koers.pip.established',
  'nl.koers.participatieverklaring.signed',
  'nl.koers.map.completed',
  'nl.koers.exam.passed',
  'nl.koers.exemption.granted',
  'nl.koers.extension.granted',
  'nl.koers.diploma.recognised',
  'nl.koers.alphabetisation.started',
];

export const DEFAULT_MILESTONE_REPORTING: MilestoneReporting = {
  caseworker: { report: [...DEFAULT_CASEWORKER_MILESTONES], correct: [...DEFAULT_CASEWORKER_MILESTONES] },
};

function matches(pattern: string, type: string): boolean {
  return pattern.endsWith('.*') ? type.startsWith(pattern.slice(0, -1)) : pattern === type;
}

/**
 * Whether a staff member of `role` may send an event of `type`, as a report or (with `correction`) as a
 * correction, under the municipality's configuration (absent: {@link DEFAULT_MILESTONE_REPORTING}).
 * Admins may send and correct every type; partners are governed by their key, not by the policy.
 */
export function mayReportMilestone(
  reporting: MilestoneReporting | undefined,
  role: 'admin' | 'caseworker',
  type: EventType,
  correction: boolean,
): boolean {
  if (role === 'admin') return true;
  const rights = (reporting ?? DEFAULT_MILESTONE_REPORTING)[role];
  return (correction ? rights.correct : rights.report).some((p) => matches(p, type));
}

/**
 * Every event type, what arrives by letter or portal first (the order of
 * {@link DEFAULT_CASEWORKER_MILESTONES}, each pattern expanded), then the others: the order a form
 * offers milestones in.
 */
export const MILESTONES_IN_FORM_ORDER: readonly EventType[] = [
  ...new Set([...DEFAULT_CASEWORKER_MILESTONES.flatMap((p) => EVENT_TYPES.filter((t) => matches(p, t))), ...EVENT_TYPES]),
];

/** The event types a role may report (or correct), in {@link MILESTONES_IN_FORM_ORDER}, for forms that offer only what may be sent. */
export function reportableMilestones(reporting: MilestoneReporting | undefined, role: 'admin' | 'caseworker', correction: boolean): EventType[] {
  return MILESTONES_IN_FORM_ORDER.filter((t) => mayReportMilestone(reporting, role, t, correction));
}
