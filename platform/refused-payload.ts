/**
 * What the payload codec (platform/codec.ts) hands on in place of a payload Koers did not seal: a
 * payload sent around the API (the Temporal CLI, the Web UI, a gRPC client) has no valid AES-GCM
 * envelope. Workflows get `{ [REFUSED_PAYLOAD]: { reason, value? } }` and the workflow interceptors
 * (workflows/interceptors.ts) refuse it, so such a message changes nothing and stops nothing.
 *
 * `value` is the plain JSON the payload held, kept only so that histories recorded before the codec
 * (every payload plain) replay as they ran; a live message is refused whatever its value.
 * Imported inside the workflow sandbox: nothing of Node here.
 */

/** The one key of a refusal marker (not a name any Koers message uses). */
export const REFUSED_PAYLOAD = 'koersRefusedPayload';

/** The refusal marker: why the payload was refused, and its plain JSON value when it had one. */
export interface RefusedPayload {
  [REFUSED_PAYLOAD]: { reason: string; value?: unknown };
}

/** True for the codec's refusal marker. */
export function isRefusedPayload(value: unknown): value is RefusedPayload {
  if (typeof value !== 'object' || value === null || !(REFUSED_PAYLOAD in value)) return false;
  const inner = (value as Record<string, unknown>)[REFUSED_PAYLOAD];
  return typeof inner === 'object' && inner !== null && typeof (inner as { reason?: unknown }).reason === 'string';
}
