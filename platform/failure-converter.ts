/**
 * Failure messages and stack traces go through the payload codec like every other payload: a
 * message Temporal records (an Update's rejection, an activity's error) is ciphertext in its
 * database. Loaded inside the workflow sandbox too (bundled by path), so it imports nothing of Node.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
