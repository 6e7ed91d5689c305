import crypto from 'node:crypto';
import { EncryptionCodec, koersDataConverter, type PayloadKey } from '../../platform/codec';

/** Fixed test keys: `current` encrypts; `previous` is what a rotation retires. */
export const testPayloadKeys = {
  current: { id: 'test-2', key: crypto.createHash('sha256').update('koers test payload key 2').digest() },
  previous: { id: 'test-1', key: crypto.createHash('sha256').update('koers test payload key 1').digest() },
} satisfies Record<string, PayloadKey>;

/** The codec every test worker and client uses, as production does. */
export const testCodec = new EncryptionCodec([testPayloadKeys.current, testPayloadKeys.previous]);
export const testDataConverter = koersDataConverter(testCodec);

/** The same keys as KOERS_PAYLOAD_KEYS, for a test that starts Koers from configuration. */
export const testPayloadKeysSetting = [testPayloadKeys.current, testPayloadKeys.previous].map((k) => `${k.id}:${k.key.toString('base64')}`).join(',');
