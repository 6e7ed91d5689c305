import crypto from 'node:crypto';

/**
 * Journey ids and BSN encryption, both derived from one server secret.
 * A journey id is an HMAC of municipality + personRef: stable (so a second create is a 409 by
 * Temporal's own workflow-id uniqueness), and revealing nothing about the person.
 */
export class Identity {
  private readonly idKey: Buffer;
  private readonly bsnKey: Buffer;
  private readonly staffKey: Buffer;
  private readonly personKeyKey: Buffer;
  private readonly sessionSecretKey: Buffer;
  private readonly csrfKey: Buffer;

  constructor(secret: string) {
    this.idKey = Buffer.from(crypto.hkdfSync('sha256', secret, 'koers', 'journey-id', 32));
    this.bsnKey = Buffer.from(crypto.hkdfSync('sha256', secret, 'koers', 'bsn-aes-256-gcm', 32));
    this.staffKey = Buffer.from(crypto.hkdfSync('sha256', secret, 'koers', 'staff-pseudonym', 32));
    this.personKeyKey = Buffer.from(crypto.hkdfSync('sha256', secret, 'koers', 'person-index', 32));
    this.sessionSecretKey = Buffer.from(crypto.hkdfSync('sha256', secret, 'koers', 'web-session-aes-256-gcm', 32));
    this.csrfKey = Buffer.from(crypto.hkdfSync('sha256', secret, 'koers', 'web-session-csrf', 32));
  }

  /**
   * Seals what a web session keeps of the identity provider's tokens (identity/sessions.ts): AES-256-GCM
   * under a key of its own, so a copy of the store holds no usable credential.
   */
  sealSessionSecret(value: string): string {
    return seal(this.sessionSecretKey, value);
  }

  /** Opens {@link sealSessionSecret}'s output; throws when it was sealed under another secret or altered. */
  openSessionSecret(sealed: string): string {
    return unseal(this.sessionSecretKey, sealed);
  }

  /** A web session's CSRF token, derived from its id (base64url): nothing to store, the same on every API instance. */
  csrfToken(sessionId: string): string {
    return crypto.createHmac('sha256', this.csrfKey).update(sessionId).digest('base64url');
  }

  /**
   * The pseudonym a staff id has in Temporal (the caseworker search attribute is stored in clear):
   * `s-` + 22 characters of an HMAC, stable so a list by caseworker still works.
   */
  staffPseudonym(staffId: string): string {
    return `s-${crypto.createHmac('sha256', this.staffKey).update(staffId).digest('base64url').slice(0, 22)}`;
  }

  /**
   * The person index's key for a personRef (store/persons.ts): HMAC-SHA-256 under a key derived from
   * the server secret, base64url. The same person gives the same key in every municipality, so a
   * journey that moves keeps its entry; without the secret it reveals nothing about the person.
   */
  personKey(personRef: string): string {
    return crypto.createHmac('sha256', this.personKeyKey).update(personRef, 'utf8').digest('base64url');
  }

  journeyId(municipality: string, personRef: string): string {
    const mac = crypto.createHmac('sha256', this.idKey).update(`${municipality}\u0000${personRef}`).digest('base64url');
    return `j-${mac.slice(0, 22)}`;
  }

  encryptBsn(bsn: string): string {
    return seal(this.bsnKey, bsn);
  }

  decryptBsn(sealed: string): string {
    return unseal(this.bsnKey, sealed);
  }
}

/** AES-256-GCM: `v1.` + base64url of IV (12 bytes), tag (16) and ciphertext. */
function seal(key: Buffer, value: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url')}`;
}

function unseal(key: Buffer, sealed: string): string {
  const raw = Buffer.from(sealed.replace(/^v1\./, ''), 'base64url');
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

/** The BSN 11-proef: 9 digits, sum of digit × (9..2) minus the last digit, divisible by 11. */
export function isValidBsn(bsn: string): boolean {
  if (!/^\d{9}$/.test(bsn)) return false;
  const digits = [...bsn].map(Number);
  const sum = digits.slice(0, 8).reduce((acc, digit, i) => acc + digit * (9 - i), 0) - digits[8]!;
  return sum % 11 === 0 && bsn !== '000000000';
}
