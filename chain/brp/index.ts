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
 * Every request is accountable: one `brp-query` record in the processing log (processing-log/).
 */
import type { BrpPurpose, BrpSettings } from './config';
import { BrpClient, type BrpAnswer, type BrpRequestContext } from './client';
import { factsOf, nameOf, prefillOf, proposalOf, type BrpPrefill, type BrpProposal } from './mapping';
import { foreignOperationOf, type Operation, type ProcessingLog, type RequestTrace } from '../../processing-log';

export { BrpConfigError, loadBrpSettings, parseBrpSettings, BRP_PURPOSES, type BrpPurpose, type BrpSettings } from './config';
export { BrpClient, BrpRefused, BrpUnavailable, type BrpAnswer, type BrpRequestContext } from './client';
export { BRP_FIELDS, consultBody, factsOf, nameOf, prefillOf, proposalOf, type BrpDate, type BrpFacts, type BrpMunicipality, type BrpPrefill, type BrpProposal } from './mapping';

/**
 * Who asks and for which journey: the staff id (`x-gebruiker`, and the processing log's actor; absent:
 * the service itself), the journey the request is for (the record's data subject beside the BSN), and
 * the processing it is part of (a page's `person-read`): the BRP query is its child in one trace. Without
 * a parent, `trace` is the asking request's (api/processing.ts `requestTrace`), so the query is in it.
 */
export interface BrpAsker {
  user?: string;
  journeyId?: string;
  parent?: Operation;
  trace?: RequestTrace;
}

/** The BRP of one deployment. */
export class Brp {
  readonly client: BrpClient;
  private readonly processingLog?: ProcessingLog;

  /**
   * `processingLog`: each request is one `brp-query` record (docs/chain.md), with the W3C `traceparent`
   * sent to the BRP and the BRP's own trace as the foreign operation where it answers one. Without it
   * (unit tests of the client) nothing is recorded.
   */
  constructor(
    readonly settings: BrpSettings,
    options: { client?: BrpClient; processingLog?: ProcessingLog } = {},
  ) {
    this.client = options.client ?? new BrpClient(settings);
    if (options.processingLog) this.processingLog = options.processingLog;
  }

  /** Whether the BRP serves Koers's `municipality` (a slug) in this deployment. */
  serves(municipality: string): boolean {
    return Object.hasOwn(this.settings.municipalities, municipality);
  }

  private async query(bsn: string, purpose: BrpPurpose, asker: BrpAsker): Promise<BrpAnswer> {
    const context: BrpRequestContext = asker.user ? { user: asker.user } : {};
    const log = this.processingLog;
    if (!log) return this.client.consult(bsn, purpose, context);
    return log.around(
      {
        activity: 'brp-query',
        // The operation's name: the BRP's operation and Koers's purpose, never personal data.
        name: `BRP POST /personen RaadpleegMetBurgerservicenummer (${purpose})`,
        subject: { bsn, ...(asker.journeyId ? { journeyId: asker.journeyId } : {}) },
        actor: asker.user ?? 'koers',
        ...(asker.parent ? { parent: asker.parent } : asker.trace ? { trace: asker.trace } : {}),
      },
      async (op) => {
        const answer = await this.client.consult(bsn, purpose, { ...context, traceparent: op.traceparent() });
        const foreign = foreignOperationOf(answer.foreignTraceparent, this.settings.baseUrl);
        if (foreign) op.linkForeign(foreign);
        return answer;
      },
    );
  }

  /**
   * Registration with a BSN: `found: false` when the BRP knows no such person, else the prefill (birth
   * date, municipality of registration) for the user to confirm. Throws BrpUnavailable / BrpRefused.
   */
  async lookup(bsn: string, asker: BrpAsker): Promise<{ found: false } | { found: true; prefill: BrpPrefill }> {
    const { person } = await this.query(bsn, 'register', asker);
    return person ? { found: true, prefill: prefillOf(person, this.settings) } : { found: false };
  }

  /** The person's full name as the BRP has it now; undefined when the BRP knows no such person or has no name. */
  async name(bsn: string, asker: BrpAsker): Promise<string | undefined> {
    const { person } = await this.query(bsn, 'name', asker);
    return person ? nameOf(person) : undefined;
  }

  /** What the BRP's facts ask of a journey in `municipality`; undefined when they agree with it (or the BRP knows no such person). */
  async proposal(bsn: string, municipality: string, asker: BrpAsker): Promise<BrpProposal | undefined> {
    const { person } = await this.query(bsn, 'facts', asker);
    return person ? proposalOf(factsOf(person, this.settings), municipality, this.settings) : undefined;
  }
}
