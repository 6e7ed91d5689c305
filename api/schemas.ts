import { z } from 'zod';
import { isLocalDate } from '../domain/dates';
import { EVENT_TYPES } from '../domain/events';
import { isValidBsn } from './identity';

/** A calendar date that exists (2025-02-30 does not). */
export const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine(isLocalDate, 'is not a calendar date');

export const CreateJourneyBody = z.strictObject({
  personRef: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z, a-z, 0-9, _ or -'),
  municipality: z.string().min(1).max(64),
  permitGrantedOn: localDate,
  birthDate: localDate.optional(),
  regime: z.enum(['wi2013', 'wi2021']).optional(),
  bsn: z.string().refine(isValidBsn, 'is not a valid BSN (11-proef)').optional(),
});

/** CloudEvents 1.0, structured mode; `data` is checked per type afterwards. */
export const CloudEvent = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1).max(256),
  source: z.string().min(1).max(512),
  type: z.enum(EVENT_TYPES as unknown as [string, ...string[]], { message: `must be one of ${EVENT_TYPES.join(', ')}` }),
  time: z.iso.datetime({ offset: true }).optional(),
  subject: z.string().max(256).optional(),
  datacontenttype: z.literal('application/json').optional(),
  dataschema: z.string().optional(),
  data: z.record(z.string(), z.unknown()),
});
