import crypto from 'node:crypto';
import { Identity } from '../../../api/identity';
import { Keyring, keyIdOf, LEGACY_KEY_ID, SealError, SECRET_KEY_ID } from '../../../platform/sealing';
import { parsePayloadKeys } from '../../../platform/codec';

/**
 * Issue 24, fault 9: separate keys per purpose, key ids in every envelope (rotation), associated data
 * binding an envelope to its journey, a fixed tag length, and the envelopes of the release before.
 */
const SECRET = 'legacy-secret-0123456789-0123456789-abcdef';

/** Made by the release before this one (api/identity.ts at b5dd3e7) under SECRET: no key id, no binding. */
const LEGACY = {
  bsn: 'v1.06fl-1M6_JQZdQrGmEWotYQeNw94Ul8twEketxstkrXb7JP0uA',
  ref: 'v1.fXs0h-JqCiQzcOgRTk4P1bx524YrzWJXRj771RL9-NijQb4',
  name: 'v1.KwRVxm8y4gtfOi2entlQOk2fYedlzFJT_8tBOMno6NjMRY-uS6s',
  session: 'v1.GOmrFKrHcXDCtBwM-zZcbIeoZVt3Mny8Ua4UBEz51xObebaq6a5fxj9AbA',
};

const rootKey = (id: string) => parsePayloadKeys(`${id}:${crypto.randomBytes(32).toString('base64')}`)[0]!;

describe('sealing (platform/sealing.ts)', () => {
  it('opens what the release before sealed, under the legacy key id', () => {
    const identity = new Identity(SECRET);
    expect(identity.decryptBsn('j-any', LEGACY.bsn)).toBe('123456782');
    expect(identity.unsealDetail('j-any', LEGACY.ref)).toBe('REF-001');
    expect(identity.unsealDetail('j-any', LEGACY.name)).toBe('Sara Haile');
    expect(identity.openSessionSecret(LEGACY.session)).toBe('refresh-token-1');
    expect(keyIdOf(LEGACY.bsn)).toBe(LEGACY_KEY_ID);
    // A legacy envelope of one purpose does not open as another's.
    expect(() => identity.unsealDetail('j-any', LEGACY.bsn)).toThrow(SealError);
  });

  it('names its key in every envelope and binds it to its journey: moved to another journey it does not open', () => {
    const identity = new Identity(SECRET);
    const sealed = identity.encryptBsn('j-aaa', '123456782');
    expect(sealed).toMatch(/^v2\.secret\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('123456782');
    expect(identity.decryptBsn('j-aaa', sealed)).toBe('123456782');
    expect(() => identity.decryptBsn('j-bbb', sealed)).toThrow(SealError);
    // Each purpose its own key: a BSN envelope is no person detail or birth date, even for the same journey.
    expect(() => identity.unsealDetail('j-aaa', sealed)).toThrow(SealError);
    expect(() => identity.openBirthDate('j-aaa', sealed)).toThrow(SealError);
  });

  it('refuses a truncated tag instead of checking fewer bytes', () => {
    const keyring = new Keyring(SECRET);
    const sealed = keyring.seal('bsn', '123456782', 'j-1');
    const raw = Buffer.from(sealed.split('.')[2]!, 'base64url');
    // iv ‖ tag ‖ ciphertext with the tag cut to 4 bytes: GCM without a fixed length would accept a short tag.
    const short = `v2.${SECRET_KEY_ID}.${Buffer.concat([raw.subarray(0, 12), raw.subarray(12, 16), raw.subarray(28)]).toString('base64url')}`;
    expect(() => keyring.open('bsn', short, 'j-1')).toThrow(SealError);
    const flipped = Buffer.from(raw);
    flipped[flipped.length - 1]! ^= 1;
    expect(() => keyring.open('bsn', `v2.${SECRET_KEY_ID}.${flipped.toString('base64url')}`, 'j-1')).toThrow(SealError);
  });

  it('rotates: new envelopes carry the newest key id, old ones still open, re-sealing moves them to the newest key', () => {
    const k2 = rootKey('k2');
    const before = new Identity(SECRET);
    const oldEnvelope = before.encryptBsn('j-1', '123456782');
    const rotated = new Identity(SECRET, [k2]);
    const fresh = rotated.encryptBsn('j-1', '111222333');
    expect(keyIdOf(fresh)).toBe('k2');
    expect(rotated.decryptBsn('j-1', oldEnvelope)).toBe('123456782');
    expect(rotated.decryptBsn('j-1', LEGACY.bsn)).toBe('123456782');
    const resealed = rotated.keyring.reseal('bsn', oldEnvelope, 'j-1');
    const resealedLegacy = rotated.keyring.reseal('bsn', LEGACY.bsn, 'j-1');
    expect([keyIdOf(resealed), keyIdOf(resealedLegacy)]).toEqual(['k2', 'k2']);
    expect(rotated.keyring.isStale(resealed)).toBe(false);
    // The re-sealed envelope is bound to its journey like any other.
    expect(() => rotated.decryptBsn('j-2', resealedLegacy)).toThrow(SealError);
    // Next rotation: k3 in front, k2 kept to open; after re-sealing k2 can go.
    const k3 = rootKey('k3');
    expect(new Identity(SECRET, [k3, k2]).decryptBsn('j-1', resealed)).toBe('123456782');
    expect(() => new Identity(SECRET, [k3]).decryptBsn('j-1', resealed)).toThrow(/key id "k2"/);
  });
});
