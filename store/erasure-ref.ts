/**
 * The key an erased journey's retention record is kept under (store/retention.ts): a one-way digest of
 * the journey id, so the record is found from the id (GET …/erasure, an erasure repeated, a late write
 * refused) while the id itself is stored nowhere any more.
 */
import crypto from 'node:crypto';
import type { Db } from './db';

/** `erased-` + 32 characters of base64url (SHA-256 of the journey id under a fixed label). */
export function erasureRef(journeyId: string): string {
  return `erased-${crypto.createHash('sha256').update(`koers-erasure:${journeyId}`).digest('base64url').slice(0, 32)}`;
}

/** Whether the journey's personal data was erased: then nothing may be written for it again. */
export async function isErased(db: Db, journeyId: string): Promise<boolean> {
  const row = await db.selectFrom('journey_retention').select('journey_id').where('journey_id', '=', erasureRef(journeyId)).where('erased_at', 'is not', null).executeTakeFirst();
  return row !== undefined;
}
