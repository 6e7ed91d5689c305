/**
 * The payload codec: everything Koers hands to Temporal (workflow input, signals, updates, queries,
 * activity arguments and results, memo, failure messages) is compressed where that pays and then
 * encrypted with AES-256-GCM before it leaves the process, so Temporal's database, its Web UI and
 * `temporal workflow show` hold only ciphertext. Temporal's own pattern (samples-typescript
 * `encryption`); the primitives are node:crypto's and node:zlib's.
 *
 * Several keys decrypt, one encrypts: rotating a key is adding a new one in front and keeping the old
 * one until no running journey or retained history needs it.
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { METADATA_ENCODING_KEY, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { REFUSED_PAYLOAD } from './refused-payload';

/** The `encoding` of an encrypted payload (the name Temporal's samples use). */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata naming the key a payload was encrypted with (not secret: an id, never the key). */
export const KEY_ID_METADATA = 'encryption-key-id';
/** Metadata naming the compression applied before encryption, when it was. */
export const COMPRESSION_METADATA = 'koers-compression';

/** Below this size compression rarely gains and costs time. */
const COMPRESS_FROM_BYTES = 256;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** One AES-256 key: an id (`[A-Za-z0-9._-]`, 1-32 characters) and 32 bytes. */
export interface PayloadKey {
  id: string;
  key: Buffer;
}

export class PayloadKeyError extends Error {}

const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const text = (b: Uint8Array | null | undefined): string | undefined => (b ? Buffer.from(b).toString('utf8') : undefined);

/**
 * Parses `KOERS_PAYLOAD_KEYS`: `id:base64key,id:base64key,…`, the first one encrypts, all decrypt.
 * Throws a PayloadKeyError naming the entry (by position and id, never the key material).
 */
export function parsePayloadKeys(value: string): PayloadKey[] {
  const entries = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) throw new PayloadKeyError('needs at least one key');
  const keys = entries.map((entry, index) => {
    const match = /^([A-Za-z0-9._-]{1,32}):([A-Za-z0-9+/_-]+={0,2})$/.exec(entry);
    if (!match) throw new PayloadKeyError(`entry ${index + 1} must be <id>:<base64 key>, the id 1-32 characters of A-Z, a-z, 0-9, . _ -`);
    const key = Buffer.from(match[2]!, match[2]!.includes('-') || match[2]!.includes('_') ? 'base64url' : 'base64');
    if (key.length !== 32) throw new PayloadKeyError(`key "${match[1]}" must be 32 bytes (base64 of 32 random bytes), not ${key.length}`);
    return { id: match[1]!, key };
  });
  const ids = new Set<string>();
  for (const { id } of keys) {
    if (ids.has(id)) throw new PayloadKeyError(`key id "${id}" appears twice`);
    ids.add(id);
  }
  return keys;
}

/** A key derived from the server secret (HKDF-SHA256), for the embedded setup without KOERS_PAYLOAD_KEYS. */
export function derivedPayloadKey(secret: string): PayloadKey {
  return { id: 'secret-v1', key: Buffer.from(crypto.hkdfSync('sha256', secret, 'koers', 'temporal-payload-aes-256-gcm', 32)) };
}

/**
 * AES-256-GCM payload codec with key ids. `encode` wraps each payload (its protobuf bytes, deflated
 * when that makes it smaller) into one with encoding `binary/encrypted` and the key id in its
 * metadata; `decode` reverses it with whichever configured key the metadata names. A payload without
 * the encrypted encoding, or one that fails to decrypt, is refused: `decode` hands on the refusal
 * marker of ./refused-payload.ts instead (with the plain JSON value, for histories recorded before the
 * codec), which the workflow interceptors refuse; nothing sent around the API reaches a journey as data.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  private readonly current: PayloadKey;

  constructor(keys: readonly PayloadKey[]) {
    if (keys.length === 0) throw new PayloadKeyError('needs at least one key');
    this.current = keys[0]!;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  /** The id of the key new payloads are encrypted with. */
  get currentKeyId(): string {
    return this.current.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encryptOne(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decryptOne(payload));
  }

  private encryptOne(payload: Payload): Payload {
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    let body: Uint8Array = plain;
    let compressed = false;
    if (plain.length >= COMPRESS_FROM_BYTES) {
      const deflated = zlib.deflateRawSync(plain);
      if (deflated.length < plain.length) {
        body = deflated;
        compressed = true;
      }
    }
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.current.key, iv);
    // The key id and compression flag are authenticated: metadata cannot be swapped unnoticed.
    cipher.setAAD(utf8(`${this.current.id}|${compressed ? 'deflate' : ''}`));
    const ciphertext = Buffer.concat([cipher.update(body), cipher.final()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: utf8(this.current.id),
        ...(compressed ? { [COMPRESSION_METADATA]: utf8('deflate') } : {}),
      },
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
    };
  }

  private decryptOne(payload: Payload): Payload {
    const encoding = text(payload.metadata?.[METADATA_ENCODING_KEY]);
    // An absent value carries nothing to forge (and `undefined` is how a message without data travels).
    if (encoding === 'binary/null') return payload;
    if (encoding !== ENCRYPTED_ENCODING) return refused('not encrypted by Koers', encoding === 'json/plain' ? plainJson(payload) : undefined);
    const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
    const key = keyId === undefined ? undefined : this.byId.get(keyId);
    // Refused, not thrown: a thrown decode fails the workflow task again and again, so one forged
    // message would stop the journey. A key rotation adds the new key to every process before use.
    if (!key) return refused(`encrypted with key id "${(keyId ?? '(none)').slice(0, 32)}", which is not among the configured payload keys`);
    const compression = text(payload.metadata?.[COMPRESSION_METADATA]);
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) return refused('encrypted payload is too short');
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(utf8(`${keyId}|${compression === 'deflate' ? 'deflate' : ''}`));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let body: Buffer = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      if (compression === 'deflate') body = zlib.inflateRawSync(body);
      return temporal.api.common.v1.Payload.decode(body);
    } catch {
      return refused('encrypted payload does not authenticate');
    }
  }
}

/** The refusal marker (./refused-payload.ts) as a JSON payload. */
function refused(reason: string, plain?: { value: unknown }): Payload {
  return {
    metadata: { [METADATA_ENCODING_KEY]: utf8('json/plain') },
    data: utf8(JSON.stringify({ [REFUSED_PAYLOAD]: { reason, ...(plain && plain.value !== undefined ? { value: plain.value } : {}) } })),
  };
}

/** The JSON a plain payload holds, or undefined when it holds none that parses. */
function plainJson(payload: Payload): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(Buffer.from(payload.data ?? new Uint8Array()).toString('utf8')) as unknown };
  } catch {
    return undefined;
  }
}

/** The failure converter module (bundled into the workflow code by path). */
export const failureConverterPath = require.resolve('./failure-converter');

/** The data converter of every worker and client: the codec, and failure messages encoded through it. */
export function koersDataConverter(codec: PayloadCodec): DataConverter {
  return { payloadCodecs: [codec], failureConverterPath };
}
