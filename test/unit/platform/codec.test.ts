import crypto from 'node:crypto';
import { DefaultPayloadConverter, METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import {
  COMPRESSION_METADATA,
  ENCRYPTED_ENCODING,
  EncryptionCodec,
  KEY_ID_METADATA,
  PayloadKeyError,
  derivedPayloadKey,
  parsePayloadKeys,
} from '../../../platform/codec';
import { REFUSED_PAYLOAD } from '../../../platform/refused-payload';
import { loadConfig } from '../../../platform/config';

const converter = new DefaultPayloadConverter();
const key = (id: string) => ({ id, key: crypto.randomBytes(32) });
const text = (b?: Uint8Array | null) => Buffer.from(b ?? new Uint8Array()).toString('utf8');
const input = { bsnCiphertext: 'v1.abc', birthDate: '1990-05-01', personRef: 'p-12345' };

describe('payload codec (AES-256-GCM, key ids)', () => {
  it('encrypts each payload so none of its text is visible, names the key, and decodes it back', async () => {
    const codec = new EncryptionCodec([key('k1')]);
    const plain = converter.toPayload(input);
    const [encoded] = await codec.encode([plain]);
    expect(text(encoded!.metadata![METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
    expect(text(encoded!.metadata![KEY_ID_METADATA])).toBe('k1');
    const raw = Buffer.from(encoded!.data!).toString('latin1');
    for (const value of Object.values(input)) expect(raw).not.toContain(value);
    expect(raw).not.toContain('json/plain');
    const [decoded] = await codec.decode([encoded!]);
    expect(converter.fromPayload(decoded!)).toEqual(input);
  });

  it('uses a fresh IV per payload: the same value twice gives two ciphertexts', async () => {
    const codec = new EncryptionCodec([key('k1')]);
    const [a, b] = await codec.encode([converter.toPayload(input), converter.toPayload(input)]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('compresses a large payload before encrypting it, and not a small one', async () => {
    const codec = new EncryptionCodec([key('k1')]);
    const large = converter.toPayload({ notes: 'aanwezig bij de intake, '.repeat(200) });
    const [encodedLarge, encodedSmall] = await codec.encode([large, converter.toPayload({ a: 1 })]);
    expect(text(encodedLarge!.metadata![COMPRESSION_METADATA])).toBe('deflate');
    expect(encodedLarge!.data!.length).toBeLessThan(large.data!.length / 4);
    expect(encodedSmall!.metadata![COMPRESSION_METADATA]).toBeUndefined();
    expect(converter.fromPayload((await codec.decode([encodedLarge!]))[0]!)).toEqual({ notes: 'aanwezig bij de intake, '.repeat(200) });
  });

  it('after a rotation decrypts with the old key what it encrypted, and encrypts with the new one', async () => {
    const [oldKey, newKey] = [key('2026-01'), key('2026-07')];
    const [before] = await new EncryptionCodec([oldKey]).encode([converter.toPayload(input)]);
    const rotated = new EncryptionCodec([newKey, oldKey]);
    expect(converter.fromPayload((await rotated.decode([before!]))[0]!)).toEqual(input);
    const [after] = await rotated.encode([converter.toPayload(input)]);
    expect(text(after!.metadata![KEY_ID_METADATA])).toBe('2026-07');
    // Once the old key is retired, what it encrypted can no longer be read: it is refused, naming the key id.
    const [retired] = await new EncryptionCodec([newKey]).decode([before!]);
    expect(converter.fromPayload(retired!)).toEqual({ [REFUSED_PAYLOAD]: { reason: expect.stringContaining('key id "2026-01"') } });
  });

  it('refuses a payload Koers did not encrypt: the marker names why and keeps the plain JSON only for replaying old histories', async () => {
    const codec = new EncryptionCodec([key('k1')]);
    const plain: Payload = converter.toPayload(input);
    const [decoded] = await codec.decode([plain]);
    expect(converter.fromPayload(decoded!)).toEqual({ [REFUSED_PAYLOAD]: { reason: 'not encrypted by Koers', value: input } });
    const binary: Payload = { metadata: { [METADATA_ENCODING_KEY]: Buffer.from('binary/plain') }, data: Buffer.from('x') };
    expect(converter.fromPayload((await codec.decode([binary]))[0]!)).toEqual({ [REFUSED_PAYLOAD]: { reason: 'not encrypted by Koers' } });
    // A message without data carries nothing to forge.
    const none = converter.toPayload(undefined);
    expect(await codec.decode([none])).toEqual([none]);
  });

  it('refuses a tampered payload or tampered metadata', async () => {
    const k = key('k1');
    const codec = new EncryptionCodec([k]);
    const [encoded] = await codec.encode([converter.toPayload(input)]);
    const flipped = Buffer.from(encoded!.data!);
    flipped[20] = flipped[20]! ^ 1;
    const refusedAs = async (payload: Payload) => converter.fromPayload((await codec.decode([payload]))[0]!);
    expect(await refusedAs({ ...encoded!, data: flipped })).toEqual({ [REFUSED_PAYLOAD]: { reason: 'encrypted payload does not authenticate' } });
    const large = (await codec.encode([converter.toPayload({ notes: 'x'.repeat(1000) })]))[0]!;
    const { [COMPRESSION_METADATA]: _dropped, ...withoutCompression } = large.metadata!;
    expect(await refusedAs({ ...large, metadata: withoutCompression })).toEqual({ [REFUSED_PAYLOAD]: { reason: 'encrypted payload does not authenticate' } });
    // A shortened tag is refused too (the tag length is fixed at 16 bytes).
    const shortTag = Buffer.from(encoded!.data!).subarray(0, encoded!.data!.length - 4);
    expect(await refusedAs({ ...encoded!, data: shortTag })).toEqual({ [REFUSED_PAYLOAD]: { reason: 'encrypted payload does not authenticate' } });
  });

  it('derives a stable key from the server secret for the embedded setup', () => {
    expect(derivedPayloadKey('s'.repeat(40)).key.equals(derivedPayloadKey('s'.repeat(40)).key)).toBe(true);
    expect(derivedPayloadKey('s'.repeat(40)).key.equals(derivedPayloadKey('t'.repeat(40)).key)).toBe(false);
  });
});

describe('KOERS_PAYLOAD_KEYS', () => {
  const b64 = () => crypto.randomBytes(32).toString('base64');

  it('reads id:key pairs, the first encrypting', () => {
    const keys = parsePayloadKeys(`new:${b64()}, old:${crypto.randomBytes(32).toString('base64url')}`);
    expect(keys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(keys.every((k) => k.key.length === 32)).toBe(true);
  });

  it.each([
    ['nothing', '', /at least one key/],
    ['an entry without id', 'nokey', /entry 1 must be <id>:<base64 key>/],
    ['a 16-byte key', `k1:${crypto.randomBytes(16).toString('base64')}`, /must be 32 bytes/],
    ['an id twice', `k1:${crypto.randomBytes(32).toString('base64')},k1:${crypto.randomBytes(32).toString('base64')}`, /appears twice/],
  ])('refuses %s', (_label, value, message) => {
    expect(() => parsePayloadKeys(value)).toThrow(PayloadKeyError);
    expect(() => parsePayloadKeys(value)).toThrow(message);
  });

  it('is checked at start with one line naming the setting and never the key', () => {
    const secretish = crypto.randomBytes(16).toString('base64');
    expect(() => loadConfig({ KOERS_PAYLOAD_KEYS: `k1:${secretish}` })).toThrow(/^invalid setting KOERS_PAYLOAD_KEYS: key "k1" must be 32 bytes/);
    try {
      loadConfig({ KOERS_PAYLOAD_KEYS: `k1:${secretish}` });
    } catch (err) {
      expect((err as Error).message).not.toContain(secretish);
    }
  });
});
