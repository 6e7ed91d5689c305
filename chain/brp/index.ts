/**
 * The BRP door (issue 23, "The person from the BRP"): Koers's only way to the BRP API Personen 2.7.0.
 * Three uses, each with its own `fields` and processing activity (mapping.ts BRP_FIELDS, config.ts):
 * - `lookup`: at registration, does the BSN exist, and the birth date and municipality of registration
 *   offered as a prefill the user confirms;
 * - `name`: the person's name just in time for a page, never stored (not in Temporal, the store, logs,
 *   metrics or a cache);
 * - `proposal`: the facts that change a journey (death, emigration, registration elsewhere) as a proposal
 *   a caseworker confirms.
 * A deployment without KOERS_BRP_FILE, or a municipality its file does not list, has no BRP (`serves`).
 */
import type { BrpPurpose, BrpSettings } from './config';
import { BrpClient, type BrpAnswer, type BrpRequestContext } from './client';
import { factsOf, nameOf, prefillOf, proposalOf, type BrpPrefill, type BrpProposal } from './mapping';

export { BrpConfigError, loadBrpSettings, parseBrpSettings, BRP_PURPOSES, type BrpPurpose, type BrpSettings } from './config';
export { BrpClient, BrpRefused, BrpUnavailable, type BrpAnswer, type BrpRequestContext } from './client';
export { BRP_FIELDS, consultBody, factsOf, nameOf, prefillOf, proposalOf, type BrpDate, type BrpFacts, type BrpMunicipality, type BrpPrefill, type BrpProposal } from './mapping';

/** The BRP of one deployment. */
export class Brp {
  readonly client: BrpClient;

  /**
   * `around` wraps each request (the processing log's operation: it may add the `traceparent` and is
   * told the outcome); by default the request runs as it is.
   */
  constructor(
    readonly settings: BrpSettings,
    options: { client?: BrpClient; around?: (bsn: string, purpose: BrpPurpose, context: BrpRequestContext, run: (context: BrpRequestContext) => Promise<BrpAnswer>) => Promise<BrpAnswer> } = {},
  ) {
    this.client = options.client ?? new BrpClient(settings);
    this.around = options.around ?? ((_bsn, _purpose, context, run) => run(context));
  }

  private readonly around: (bsn: string, purpose: BrpPurpose, context: BrpRequestContext, run: (context: BrpRequestContext) => Promise<BrpAnswer>) => Promise<BrpAnswer>;

  /** Whether the BRP serves Koers's `municipality` (a slug) in this deployment. */
  serves(municipality: string): boolean {
    return Object.hasOwn(this.settings.municipalities, municipality);
  }

  private query(bsn: string, purpose: BrpPurpose, context: BrpRequestContext): Promise<BrpAnswer> {
    return this.around(bsn, purpose, context, (withTrace) => this.client.consult(bsn, purpose, withTrace));
  }

  /**
   * Registration with a BSN: `found: false` when the BRP knows no such person, else the prefill (birth
   * date, municipality of registration) for the user to confirm. Throws BrpUnavailable / BrpRefused.
   */
  async lookup(bsn: string, context: BrpRequestContext): Promise<{ found: false } | { found: true; prefill: BrpPrefill }> {
    const { person } = await this.query(bsn, 'register', context);
    return person ? { found: true, prefill: prefillOf(person, this.settings) } : { found: false };
  }

  /** The person's full name as the BRP has it now; undefined when the BRP knows no such person or has no name. */
  async name(bsn: string, context: BrpRequestContext): Promise<string | undefined> {
    const { person } = await this.query(bsn, 'name', context);
    return person ? nameOf(person) : undefined;
  }

  /** What the BRP's facts ask of a journey in `municipality`; undefined when they agree with it (or the BRP knows no such person). */
  async proposal(bsn: string, municipality: string, context: BrpRequestContext): Promise<BrpProposal | undefined> {
    const { person } = await this.query(bsn, 'facts', context);
    return person ? proposalOf(factsOf(person, this.settings), municipality, this.settings) : undefined;
  }
}
