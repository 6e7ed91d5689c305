import crypto from 'node:crypto';
import type { PayloadKey } from '../platform/codec';
import { Keyring } from '../platform/sealing';

/**
 * Journey ids, keyed hashes and sealing (platform/sealing.ts), from one server secret: each purpose has
 * its own derived key; sealed texts carry a key id and are bound to their journey.
 * A journey id is an HMAC of municipality + personRef: stable (so a second create is a 409 by
 * Temporal's own workflow-id uniqueness), and revealing nothing about the person.
 */
export class Identity {
  private readonly idKey: Buffer;
  private readonly staffKey: Buffer;
  private readonly personKeyKey: Buffer;
  private readonly bsnIndexKey: Buffer;
  private readonly searchKey: Buffer;
  /** The sealing keys (the secret's, and KOERS_SEALING_KEYS for rotation). */
  readonly keyring: Keyring;
  private readonly csrfKey: Buffer;

  /** `sealingKeys`: KOERS_SEALING_KEYS (the first seals); without them the secret's own key seals. */
  constructor(secret: string, sealingKeys: readonly PayloadKey[] = []) {
    this.idKey = Buffer.from(crypto.hkdfSync('sha256', secret, 'koers', 'journey-id', 32));
    this.staffKey = Buffer.from(crypto.hkdfSync('sha256', secret, 'koers', 'staff-pseudonym', 32));
    this.personKeyKey = Buffer.from(crypto.hkdfSync('sha256', secret, 'koers', 'person-index', 32));
    this.bsnIndexKey = Buffer.from(crypto.hkdfSync('sha256', secret, 'koers', 'bsn-index', 32));
    this.searchKey = Buffer.from(crypto.hkdfSync('sha256', secret, 'koers', 'person-search', 32));
    this.keyring = new Keyring(secret, sealingKeys);
    this.csrfKey = Buffer.from(crypto.hkdfSync('sha256', secret, 'koers', 'web-session-csrf', 32));
  }

  /**
   * The person index's key for a BSN (contract v1.2: one journey per BSN per municipality, and search
   * by BSN): HMAC-SHA-256 under its own derived key, base64url. Never the BSN in clear.
   */
  bsnKey(bsn: string): string {
    return crypto.createHmac('sha256', this.bsnIndexKey).update(bsn.trim(), 'utf8').digest('base64url');
  }

  /** The search key of a reference: trimmed and lower-cased first, so a search ignores case and spaces around it. */
  refKey(personRef: string): string {
    return this.searchHash(`ref\u0000${personRef.trim().toLowerCase()}`);
  }

  /**
   * The search keys of a name: one per word, each word lower-cased without diacritics ("Ahmed  Al-Saïd"
   * → ahmed, al, said), so a search finds a person by any of their names in any case. Keyed hashes,
   * so the index holds no name; a word of one letter is left out (it would find everyone).
   */
  nameKeys(name: string): string[] {
    return [...new Set(nameWords(name))].map((word) => this.searchHash(`name\u0000${word}`));
  }

  private searchHash(value: string): string {
    return crypto.createHmac('sha256', this.searchKey).update(value, 'utf8').digest('base64url').slice(0, 32);
  }

  /** A reference or name sealed for the person index (its own key), bound to the journey's id. */
  sealDetail(journeyId: string, text: string): string {
    return this.keyring.seal('person-details', text, journeyId);
  }

  /** The text of {@link sealDetail}; throws a SealError when it was sealed under another secret or for another journey. */
  unsealDetail(journeyId: string, sealed: string): string {
    return this.keyring.open('person-details', sealed, journeyId);
  }

  /**
   * Seals what a web session keeps of the identity provider's tokens (identity/sessions.ts): AES-256-GCM
   * under a key of its own, so a copy of the store holds no usable credential.
   */
  sealSessionSecret(value: string): string {
    return this.keyring.seal('web-session', value, '');
  }

  /** Opens {@link sealSessionSecret}'s output; throws when it was sealed under another secret or altered. */
  openSessionSecret(sealed: string): string {
    return this.keyring.open('web-session', sealed, '');
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

  /**
   * The journey id of a person in a municipality. `generation` > 0 after an erasure: the person
   * registered again gets a new id, so nothing of the erased journey is joined to the new one.
   */
  journeyId(municipality: string, personRef: string, generation = 0): string {
    const input = `${municipality}\u0000${personRef}${generation > 0 ? `\u0000${generation}` : ''}`;
    const mac = crypto.createHmac('sha256', this.idKey).update(input).digest('base64url');
    return `j-${mac.slice(0, 22)}`;
  }

  /** The BSN sealed (its own key), bound to the journey's id: moved to another journey's row it does not open. */
  encryptBsn(journeyId: string, bsn: string): string {
    return this.keyring.seal('bsn', bsn, journeyId);
  }

  /** The BSN of {@link encryptBsn}; throws a SealError when it was sealed under another secret or for another journey. */
  decryptBsn(journeyId: string, sealed: string): string {
    return this.keyring.open('bsn', sealed, journeyId);
  }

  /** A birth date sealed for the read model (store/journeys.ts), bound to the journey's id. */
  sealBirthDate(journeyId: string, date: string): string {
    return this.keyring.seal('birth-date', date, journeyId);
  }

  /** The date of {@link sealBirthDate}; throws a SealError when it does not open. */
  openBirthDate(journeyId: string, sealed: string): string {
    return this.keyring.open('birth-date', sealed, journeyId);
  }
}

/** A name's words for search: NFKD without combining marks, lower-case, split on anything but letters and digits. */
export function nameWords(name: string): string[] {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 1);
}

/** The BSN 11-proef: 9 digits, sum of digit × (9..2) minus the last digit, divisible by 11. */
export function isValidBsn(bsn: string): boolean {
  if (!/^\d{9}$/.test(bsn)) return false;
  const digits = [...bsn].map(Number);
  const sum = digits.slice(0, 8).reduce((acc, digit, i) => acc + digit * (9 - i), 0) - digits[8]!;
  return sum % 11 === 0 && bsn !== '000000000';
}
