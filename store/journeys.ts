/**
 * The journeys read model (issue 12): one row per journey with what `GET /v1/journeys/{id}` and the
 * administrators' lists need, and a row per legal deadline so "deadlines in a window" and "overdue"
 * are SQL. The journey workflow writes it (activities/journey-sync.ts), the API inserts the first row
 * at start (seq 0), the worker's monitor sets the run status of a journey that stopped.
 *
 * Writes are ordered by the journey's own sequence number (carried across continue-as-new): a row is
 * replaced only by a write with a higher `seq`, so a retried, repeated or late write never overwrites a
 * newer one. Personal data: the BSN only as ciphertext; the caseworker by pseudonym; every birth date
 * in the view sealed ({@link BirthDateSeal}, bound to the journey), never in clear. The figures' columns
 * are computed from the clear view before sealing, so figures in SQL stay exact.
 *
 * Dates in the view are as of the day it was written; the API derives date-dependent status at read time
 * (domain/clocks.ts `clockOn`), so the row is never stale about time.
 */
import { sql, type ExpressionBuilder, type Selectable, type SelectQueryBuilder } from 'kysely';
import { databaseKind, inTransaction, type Db, type JourneysTable, type KoersDatabase } from './db';
import { viewFigures, type ViewFigures } from './journey-view';
import { isErased } from './erasure-ref';
import { decodeCursor, encodeCursor } from './cursor';

/** A legal deadline of a journey: its clock, final date, and whether it can still be missed. */
export interface JourneyDeadline {
  clock: string;
  /** `YYYY-MM-DD` Europe/Amsterdam, the last day on time. */
  finalDate: string;
  /** Running or overdue (true); met or waived (false). */
  open: boolean;
}

/** What one write of the read model carries. */
export interface JourneyProjection<V = unknown> {
  journeyId: string;
  /** The journey's write counter: 0 for the API's row at start, then 1, 2, … from the workflow. */
  seq: number;
  municipality: string;
  regime: string;
  phase: string;
  /** api/temporal.ts JourneyStatus. */
  runStatus: string;
  caseworker: { role?: string; id?: string };
  nextFinalDate?: string;
  nextWakeUp?: string;
  /** Only the ciphertext; a write without it keeps the stored one. */
  bsnCiphertext?: string;
  /** The journey's view (JourneyState), JSON-serialisable. */
  view: V;
  deadlines: JourneyDeadline[];
  /** When the journey (its first run) started, ISO-8601 UTC; kept from the first write. */
  startedAt: string;
}

/** A stored journey: the projection as written, with the instant of the write. */
export interface StoredJourney<V = unknown> extends Omit<JourneyProjection<V>, 'deadlines'> {
  updatedAt: string;
}

/** Run statuses that only the monitor or the API knows (the workflow cannot write them): a late workflow write keeps them. */
const STOPPED = ['failed', 'terminated', 'timed-out', 'canceled'];

export interface JourneyListFilter {
  /** Run status; `running` includes `workflow-task-failing` (it runs). */
  status?: string;
  municipality?: string;
  phase?: string;
  regime?: string;
  /** An open deadline whose final date is before `today`. */
  overdue?: boolean;
  nextFinalDateBefore?: string;
  caseworkerRole?: string;
  /** The pseudonym the journey carries. */
  caseworkerId?: string;
  /** An open deadline with its final date in [deadlineFrom, deadlineTo] (either bound optional), of `clock` if given. */
  deadlineFrom?: string;
  deadlineTo?: string;
  clock?: string;
}

/** A list row: the columns a summary shows, and whether it is overdue today. */
export interface JourneyListRow {
  journeyId: string;
  runStatus: string;
  startedAt: string;
  municipality: string;
  phase: string;
  regime: string;
  overdue: boolean;
  nextFinalDate?: string;
  caseworker: { role?: string; id?: string };
}

type JourneysQuery<O> = SelectQueryBuilder<KoersDatabase, 'journeys', O>;

/** Seals and opens the birth dates a journey's view holds (api/identity.ts Identity; platform/sealing.ts). */
export interface BirthDateSeal {
  sealBirthDate(journeyId: string, date: string): string;
  /** Throws when the sealed date does not open (another secret, another journey). */
  openBirthDate(journeyId: string, sealed: string): string;
}

export class JourneyReadModel {
  /**
   * `birthDates`: Koers (platform/koers.ts) always passes its Identity, so no birth date is stored in
   * clear. Without it the view is stored as it comes, as the release before did (tests and tools).
   */
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
    private readonly birthDates?: BirthDateSeal,
  ) {}

  /** The same read model on another executor: a transaction its caller has opened (`inTransaction` in db.ts). */
  using(db: Db): JourneyReadModel {
    return new JourneyReadModel(db, this.now, this.birthDates);
  }

  /** The view as stored: each `birthDate` sealed. */
  private sealView(journeyId: string, view: unknown): unknown {
    const seal = this.birthDates;
    return seal ? mapBirthDates(view, (date) => (isSealed(date) ? date : seal.sealBirthDate(journeyId, date))) : view;
  }

  /** The view as written: each sealed `birthDate` opened (left out when it does not open; one of an earlier release in clear stays). */
  private openView(journeyId: string, text: string): unknown {
    const seal = this.birthDates;
    const view = JSON.parse(text) as unknown;
    if (!seal && !text.includes('"birthDate":"v')) return view;
    return mapBirthDates(view, (date) => {
      if (!isSealed(date)) return date;
      try {
        return seal?.openBirthDate(journeyId, date);
      } catch {
        return undefined;
      }
    });
  }

  /**
   * Writes the projection if its `seq` is higher than the stored one (or none is stored); returns
   * whether it was written. The journey row and its deadlines change together, in one transaction.
   * `erasureChecked`: the caller asked {@link isErased} in the same transaction (a journey step,
   * activities/journey-sync.ts), so this write does not ask again (issue 25: a statement per step).
   */
  async write(p: JourneyProjection, options: { erasureChecked?: boolean } = {}): Promise<boolean> {
    const at = this.now().toISOString();
    const figures = viewFigures(p.view);
    return inTransaction(this.db, async (trx) => {
      // A write still on its way when the journey's personal data was erased (store/retention.ts) must not bring the row back.
      if (!options.erasureChecked && (await isErased(trx, p.journeyId))) return false;
      const row: JourneysTable = {
        journey_id: p.journeyId,
        seq: p.seq,
        municipality: p.municipality,
        regime: p.regime,
        phase: p.phase,
        run_status: p.runStatus,
        caseworker_role: p.caseworker.role ?? null,
        caseworker_id: p.caseworker.id ?? null,
        next_final_date: p.nextFinalDate ?? null,
        next_wake_up: p.nextWakeUp ?? null,
        bsn_ciphertext: p.bsnCiphertext ?? null,
        view: JSON.stringify(this.sealView(p.journeyId, p.view)),
        started_at: p.startedAt,
        updated_at: at,
        moved_to: null,
        ...figureColumns(figures),
      };
      const written = await trx
        .insertInto('journeys')
        .values(row)
        .onConflict((oc) =>
          oc
            .column('journey_id')
            .doUpdateSet((eb) => ({
              seq: eb.ref('excluded.seq'),
              // A move is in force from its 202 (`move`): a write of the journey from before it got the move
              // keeps the moved municipality; the first write that carries it ends the pin.
              municipality: sql<string>`coalesce(journeys.moved_to, excluded.municipality)`,
              moved_to: sql<string | null>`case when journeys.moved_to = excluded.municipality then null else journeys.moved_to end`,
              regime: eb.ref('excluded.regime'),
              phase: eb.ref('excluded.phase'),
              run_status: sql<string>`case when journeys.run_status in (${sql.join(STOPPED)}) then journeys.run_status else excluded.run_status end`,
              caseworker_role: eb.ref('excluded.caseworker_role'),
              caseworker_id: eb.ref('excluded.caseworker_id'),
              next_final_date: eb.ref('excluded.next_final_date'),
              next_wake_up: eb.ref('excluded.next_wake_up'),
              bsn_ciphertext: sql<string | null>`coalesce(excluded.bsn_ciphertext, journeys.bsn_ciphertext)`,
              view: eb.ref('excluded.view'),
              updated_at: eb.ref('excluded.updated_at'),
              view_today: eb.ref('excluded.view_today'),
              permit_granted_on: eb.ref('excluded.permit_granted_on'),
              intake_held_on: eb.ref('excluded.intake_held_on'),
              permit_to_intake_days: eb.ref('excluded.permit_to_intake_days'),
              reintegration_due: eb.ref('excluded.reintegration_due'),
              reintegration_started_on: eb.ref('excluded.reintegration_started_on'),
              phase_later: eb.ref('excluded.phase_later'),
              phase_later_on: eb.ref('excluded.phase_later_on'),
            }))
            // The ordering: a late or repeated write changes nothing.
            .where('journeys.seq', '<', (eb) => eb.ref('excluded.seq')),
        )
        .returning('journey_id')
        .executeTakeFirst();
      if (!written) return false;
      await trx.deleteFrom('journey_deadlines').where('journey_id', '=', p.journeyId).execute();
      if (p.deadlines.length > 0) {
        await trx
          .insertInto('journey_deadlines')
          .values(p.deadlines.map((d) => ({ journey_id: p.journeyId, clock: d.clock, final_date: d.finalDate, open: d.open ? 1 : 0 })))
          .execute();
      }
      await writeClockRows(trx, p.journeyId, figures);
      return true;
    });
  }

  async get<V = unknown>(journeyId: string): Promise<StoredJourney<V> | undefined> {
    const row = await this.db.selectFrom('journeys').selectAll().where('journey_id', '=', journeyId).executeTakeFirst();
    return row ? this.stored<V>(row) : undefined;
  }

  /** {@link get} for many journeys in one query per 500 (a list page's persons); a journey without a row is left out. */
  async getMany<V = unknown>(journeyIds: readonly string[]): Promise<Map<string, StoredJourney<V>>> {
    const found = new Map<string, StoredJourney<V>>();
    const unique = [...new Set(journeyIds)];
    for (let i = 0; i < unique.length; i += 500) {
      const rows = await this.db.selectFrom('journeys').selectAll().where('journey_id', 'in', unique.slice(i, i + 500)).execute();
      for (const row of rows) found.set(row.journey_id, this.stored<V>(row));
    }
    return found;
  }

  private stored<V>(row: Selectable<JourneysTable>): StoredJourney<V> {
    return {
      journeyId: row.journey_id,
      seq: Number(row.seq),
      municipality: row.municipality,
      regime: row.regime,
      phase: row.phase,
      runStatus: row.run_status,
      caseworker: { ...(row.caseworker_role ? { role: row.caseworker_role } : {}), ...(row.caseworker_id ? { id: row.caseworker_id } : {}) },
      ...(row.next_final_date ? { nextFinalDate: row.next_final_date } : {}),
      ...(row.next_wake_up ? { nextWakeUp: row.next_wake_up } : {}),
      ...(row.bsn_ciphertext ? { bsnCiphertext: row.bsn_ciphertext } : {}),
      view: this.openView(row.journey_id, row.view) as V,
      startedAt: row.started_at,
      updatedAt: row.updated_at,
    };
  }

  /** The deadlines of one journey, by clock. */
  async deadlines(journeyId: string): Promise<JourneyDeadline[]> {
    const rows = await this.db.selectFrom('journey_deadlines').selectAll().where('journey_id', '=', journeyId).orderBy('clock').execute();
    return rows.map((r) => ({ clock: r.clock, finalDate: r.final_date, open: Number(r.open) === 1 }));
  }

  /**
   * Sets the run status the workflow cannot write itself (failed, terminated, timed-out, canceled,
   * workflow-task-failing; the worker's monitor). No row: nothing to set. `workflow-task-failing` never
   * replaces a stopped status.
   */
  async setRunStatus(journeyId: string, status: string): Promise<void> {
    let update = this.db.updateTable('journeys').set({ run_status: status, updated_at: this.now().toISOString() }).where('journey_id', '=', journeyId);
    if (!STOPPED.includes(status)) update = update.where('run_status', 'not in', STOPPED);
    await update.execute();
  }

  /**
   * A move, in force from now for every access check that reads the row (api/context.ts
   * `visibleJourney`): the row's municipality becomes `municipality` and stays it, whatever the journey
   * writes, until a write of the journey carries it (the journey has the move). Inside the caller's
   * transaction (the move's, with the signal it owes the journey). False when the journey has no row
   * (started before the read model): then Temporal's record is what access checks read.
   */
  async move(journeyId: string, municipality: string): Promise<boolean> {
    const result = await this.db
      .updateTable('journeys')
      .set({ municipality, moved_to: municipality, updated_at: this.now().toISOString() })
      .where('journey_id', '=', journeyId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** The municipality a move has set and the journey does not carry yet ({@link move}); undefined when none is pending. */
  async movedTo(journeyId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('journeys').select('moved_to').where('journey_id', '=', journeyId).executeTakeFirst();
    return row?.moved_to ?? undefined;
  }

  /** The row's municipality, run status, phase and regime without its view (an access check's read); undefined without a row. */
  async run(journeyId: string): Promise<{ municipality: string; runStatus: string; phase: string; regime: string } | undefined> {
    const row = await this.db.selectFrom('journeys').select(['municipality', 'run_status', 'phase', 'regime']).where('journey_id', '=', journeyId).executeTakeFirst();
    return row && { municipality: row.municipality, runStatus: row.run_status, phase: row.phase, regime: row.regime };
  }

  /** Which of `journeyIds` have a row (the monitor asks the others to write theirs). */
  async withRows(journeyIds: string[]): Promise<Set<string>> {
    if (journeyIds.length === 0) return new Set();
    const rows = await this.db.selectFrom('journeys').select('journey_id').where('journey_id', 'in', journeyIds).execute();
    return new Set(rows.map((r) => r.journey_id));
  }

  /** Erasure: the row (with its BSN ciphertext), its deadlines and clocks go; inside the caller's transaction when it has one. */
  async delete(journeyId: string): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      await trx.deleteFrom('journey_deadlines').where('journey_id', '=', journeyId).execute();
      await trx.deleteFrom('journey_clocks').where('journey_id', '=', journeyId).execute();
      await trx.deleteFrom('journeys').where('journey_id', '=', journeyId).execute();
    });
  }

  /**
   * A page of journeys matching `filter`, newest first (started_at, then id), after `cursor` (a previous
   * page's {@link JourneyPage.nextCursor}). `today` (`YYYY-MM-DD`) decides what is overdue.
   */
  async list(filter: JourneyListFilter, today: string, pageSize: number, cursor?: string): Promise<JourneyPage> {
    const after = cursor === undefined ? undefined : decodeJourneyCursor(cursor);
    if (after === null) throw new RangeError('not a journey list cursor');
    let query = this.filtered(filter, today).select([
      'journey_id',
      'run_status',
      'started_at',
      'municipality',
      phaseOn(today).as('phase'),
      'regime',
      'next_final_date',
      'caseworker_role',
      'caseworker_id',
      (eb) => overdueOn(eb, today).as('is_overdue'),
    ]);
    if (after) {
      const [startedAt, journeyId] = after;
      query = query.where((eb) => eb.or([eb('started_at', '<', startedAt), eb.and([eb('started_at', '=', startedAt), eb('journey_id', '<', journeyId)])]));
    }
    const rows = await query.orderBy('started_at', 'desc').orderBy('journey_id', 'desc').limit(pageSize + 1).execute();
    const page = rows.slice(0, pageSize);
    const last = page[page.length - 1];
    return {
      journeys: page.map((r) => ({
        journeyId: r.journey_id,
        runStatus: r.run_status,
        startedAt: r.started_at,
        municipality: r.municipality,
        phase: r.phase,
        regime: r.regime,
        overdue: Boolean(Number(r.is_overdue)),
        ...(r.next_final_date ? { nextFinalDate: r.next_final_date } : {}),
        caseworker: { ...(r.caseworker_role ? { role: r.caseworker_role } : {}), ...(r.caseworker_id ? { id: r.caseworker_id } : {}) },
      })),
      ...(rows.length > pageSize && last ? { nextCursor: encodeJourneyCursor([last.started_at, last.journey_id]) } : {}),
    };
  }

  /**
   * The stored views of the newest `limit` journeys matching `filter` (newest first), for figures
   * computed over many journeys (statistics, a policy amendment's dry run); `truncated` when there were more.
   */
  async views<V = unknown>(filter: JourneyListFilter, today: string, limit: number): Promise<{ journeys: Array<{ journeyId: string; runStatus: string; view: V }>; truncated: boolean }> {
    const rows = await this.filtered(filter, today)
      .select(['journey_id', 'run_status', 'view'])
      .orderBy('started_at', 'desc')
      .orderBy('journey_id', 'desc')
      .limit(limit + 1)
      .execute();
    return {
      journeys: rows.slice(0, limit).map((r) => ({ journeyId: r.journey_id, runStatus: r.run_status, view: this.openView(r.journey_id, r.view) as V })),
      truncated: rows.length > limit,
    };
  }

  async count(filter: JourneyListFilter, today: string): Promise<number> {
    const row = await this.filtered(filter, today)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Counts per municipality and phase of the journeys matching `filter`. */
  async countByMunicipalityAndPhase(filter: JourneyListFilter, today: string): Promise<Array<{ municipality: string; phase: string; count: number }>> {
    const rows = await this.filtered(filter, today)
      .select(['municipality', phaseOn(today).as('phase'), (eb) => eb.fn.countAll<number | string>().as('n')])
      // By position: PostgreSQL does not see two parameterised expressions (today) as the same one.
      .groupBy([sql`1`, sql`2`])
      .orderBy('municipality')
      .orderBy('phase')
      .execute();
    return rows.map((r) => ({ municipality: r.municipality, phase: r.phase, count: Number(r.n) }));
  }

  /**
   * Exact counts for the dashboard's figures over every journey matching `filter`, with each clock's
   * status and the phase as GET derives them on `today` (store/journey-view.ts). Journeys whose run
   * stopped (any run status but running and completed) count only as `unavailable`. `horizons` are
   * days: a running deadline whose final date is in [today, today + horizon] counts for it; `until`
   * maps a horizon to that last day (computed by the caller with the law's date functions).
   */
  async figureCounts(filter: JourneyListFilter, today: string, until: Record<number, string>): Promise<FigureCounts> {
    const available = sql<boolean>`journeys.run_status in ('running', 'completed')`;
    const base = () => this.filtered(filter, today);
    const permitMonth = sql<string | null>`substr(journeys.permit_granted_on, 1, 7)`;
    const intakeMonth = sql<string>`substr(journeys.intake_held_on, 1, 7)`;
    const statusOn = clockStatusOn(today);
    const within = (horizon: number) => sql<number | string>`sum(case when journey_clocks.final_date >= ${today} and journey_clocks.final_date <= ${until[horizon]!} then 1 else 0 end)`;
    // Four scans at once, each grouped by municipality and month together (fewer scans than one per key); the
    // per-municipality and per-month counts are folded from them below. Grouped by position: PostgreSQL does not
    // see two parameterised expressions (today) as the same one.
    const [journeys, intakes, reintegration, clocks, steps] = await Promise.all([
      base()
        .select(['municipality', permitMonth.as('month'), sql<number | string>`sum(case when ${available} then 1 else 0 end)`.as('available'), (eb) => eb.fn.countAll<number | string>().as('n')])
        .groupBy(['municipality', permitMonth])
        .execute(),
      base()
        .where(available)
        .where('permit_to_intake_days', 'is not', null)
        .select(['municipality', permitMonth.as('month'), 'permit_to_intake_days', (eb) => eb.fn.countAll<number | string>().as('n')])
        .groupBy(['municipality', permitMonth, 'permit_to_intake_days'])
        .execute(),
      base()
        .where(available)
        .where('intake_held_on', 'is not', null)
        .where((eb) => eb.or([eb('reintegration_started_on', 'is not', null), eb('reintegration_due', '<', today)]))
        .select([
          'municipality',
          intakeMonth.as('month'),
          (eb) => eb.fn.countAll<number | string>().as('n'),
          sql<number | string>`sum(case when journeys.reintegration_started_on <= journeys.reintegration_due then 1 else 0 end)`.as('yes'),
        ])
        .groupBy(['municipality', intakeMonth])
        .execute(),
      this.roomToGroup((db) =>
        this.withClocks(filter, today, db)
          .where(available)
          .select([
            'journeys.municipality as municipality',
            sql<string>`substr(journey_clocks.final_date, 1, 7)`.as('month'),
            'journey_clocks.clock as clock',
            statusOn.as('status'),
            (eb) => eb.fn.countAll<number | string>().as('n'),
            sql<number | string>`sum(case when journey_clocks.settled_on <= journey_clocks.final_date then 1 else 0 end)`.as('settled_in_time'),
            ...Object.keys(until).map((h) => within(Number(h)).as(`within_${h}`)),
          ])
          .groupBy([sql`1`, sql`2`, sql`3`, sql`4`])
          .execute(),
      ),
      this.stepCounts(filter, today),
    ]);
    const fold = <R, K extends string>(rows: R[], keyOf: (row: R, by: 'municipality' | 'month') => string, identity: (row: R) => K, add: (into: R, row: R) => void) => {
      const out = { municipality: new Map<string, R>(), month: new Map<string, R>() };
      for (const row of rows) {
        for (const by of ['municipality', 'month'] as const) {
          const id = `${keyOf(row, by)}\u0000${identity(row)}`;
          const seen = out[by].get(id);
          if (seen) add(seen, row);
          else out[by].set(id, { ...row, key: keyOf(row, by) });
        }
      }
      return { municipality: [...out.municipality.values()], month: [...out.month.values()] };
    };
    const intakeRows = intakes.map((r) => ({ municipality: r.municipality, month: String(r.month), key: '', days: Number(r.permit_to_intake_days), count: Number(r.n) }));
    const clockRows = clocks.map((r) => {
      const row = r as Record<string, unknown>;
      return {
        municipality: r.municipality,
        month: r.month,
        key: '',
        clock: r.clock,
        status: r.status,
        count: Number(r.n),
        settledInTime: Number(r.settled_in_time),
        within: Object.fromEntries(Object.keys(until).map((h) => [Number(h), Number(row[`within_${h}`])])) as Record<number, number>,
      };
    });
    const foldedIntakes = fold(intakeRows, (r, by) => r[by], (r) => String(r.days), (into, r) => (into.count += r.count));
    const foldedClocks = fold(
      clockRows,
      (r, by) => r[by],
      (r) => `${r.clock}\u0000${r.status}`,
      (into, r) => {
        into.count += r.count;
        into.settledInTime += r.settledInTime;
        into.within = Object.fromEntries(Object.entries(into.within).map(([h, n]) => [Number(h), n + (r.within[Number(h)] ?? 0)]));
      },
    );
    const strip = <R extends { municipality: string; month: string }>(list: R[]) => list.map(({ municipality: _m, month: _mo, ...rest }) => rest);
    return {
      journeys: journeys.map((r) => ({ municipality: r.municipality, month: r.month ?? undefined, available: Number(r.available), count: Number(r.n) })),
      intakes: { municipality: strip(foldedIntakes.municipality), month: strip(foldedIntakes.month) },
      reintegration: reintegration.map((r) => ({ municipality: r.municipality, month: r.month, total: Number(r.n), yes: Number(r.yes) })),
      clocks: { municipality: strip(foldedClocks.municipality), month: strip(foldedClocks.month) },
      steps,
    };
  }

  /**
   * The process view's counts: per clock (step) and its status on `today` as GET derives it, how many
   * journeys matching `filter` are still running there (a completed or stopped journey is at no step).
   * The dashboard's `steps` are these same counts (figureCounts), so there is one way to count a step.
   */
  async stepCounts(filter: JourneyListFilter, today: string): Promise<StepCount[]> {
    const rows = await this.roomToGroup((db) =>
      this.withClocks(filter, today, db)
        .where('journeys.run_status', '=', 'running')
        .select(['journey_clocks.clock as clock', clockStatusOn(today).as('status'), (eb) => eb.fn.countAll<number | string>().as('n')])
        // By position: PostgreSQL does not see two parameterised expressions (today) as the same one.
        .groupBy([sql`1`, sql`2`])
        .execute(),
    );
    return rows.map((r) => ({ clock: r.clock, status: r.status, count: Number(r.n) }));
  }

  /** The journeys matching `filter` joined with their clock rows. */
  private withClocks(filter: JourneyListFilter, today: string, db: Db) {
    return (
      this.filtered(filter, today, db)
        // The journeys that match drive the join (each one's clocks found by its id): `|| ''` keeps SQLite, which
        // has no statistics to go by, from scanning every clock and looking each journey up instead (5x slower).
        .innerJoin('journey_clocks', (join) => join.on(sql`journey_clocks.journey_id`, '=', sql`journeys.journey_id || ''`))
    );
  }

  /**
   * Runs `query` so PostgreSQL can group a national count in memory: it cannot foresee how few groups
   * computed keys (a month, a status as of today) make and guesses tens of thousands, so with its default
   * 4 MB it sorted every clock row on disk (100,000 journeys: 1.2 s) rather than hash a few hundred groups.
   * JIT compiling such a query costs more than it saves. SQLite: as it is.
   */
  private async roomToGroup<T>(query: (db: Db) => Promise<T>): Promise<T> {
    // A read model on a caller's transaction (`using`) has no kind on record: it runs the query as it is.
    const postgres = (() => {
      try {
        return databaseKind(this.db) === 'postgres';
      } catch {
        return false;
      }
    })();
    if (!postgres) return query(this.db);
    return inTransaction(this.db, async (trx) => {
      await sql`set local work_mem = '64MB'`.execute(trx);
      await sql`set local jit = off`.execute(trx);
      return query(trx);
    });
  }

  /** Counts per run status (the `koers_journeys` gauge). */
  async countByStatus(): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('journeys')
      .select(['run_status', (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy('run_status')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.run_status, Number(r.n)]));
  }

  private filtered(filter: JourneyListFilter, today: string, db: Db = this.db): JourneysQuery<object> {
    let q: JourneysQuery<object> = db.selectFrom('journeys');
    if (filter.status === 'running') q = q.where('run_status', 'in', ['running', 'workflow-task-failing']);
    else if (filter.status) q = q.where('run_status', '=', filter.status);
    if (filter.municipality) q = q.where('municipality', '=', filter.municipality);
    if (filter.phase) q = q.where(phaseOn(today), '=', filter.phase);
    if (filter.regime) q = q.where('regime', '=', filter.regime);
    if (filter.caseworkerRole) q = q.where('caseworker_role', '=', filter.caseworkerRole);
    if (filter.caseworkerId) q = q.where('caseworker_id', '=', filter.caseworkerId);
    if (filter.nextFinalDateBefore) q = q.where('next_final_date', '<', filter.nextFinalDateBefore);
    if (filter.overdue !== undefined) q = q.where((eb) => (filter.overdue ? overdueOn(eb, today) : eb.not(overdueOn(eb, today))));
    if (filter.deadlineFrom || filter.deadlineTo || filter.clock) {
      q = q.where((eb) => {
        let deadlines = eb
          .selectFrom('journey_deadlines')
          .select('journey_deadlines.journey_id')
          .whereRef('journey_deadlines.journey_id', '=', 'journeys.journey_id')
          .where('journey_deadlines.open', '=', 1);
        if (filter.deadlineFrom) deadlines = deadlines.where('journey_deadlines.final_date', '>=', filter.deadlineFrom);
        if (filter.deadlineTo) deadlines = deadlines.where('journey_deadlines.final_date', '<=', filter.deadlineTo);
        if (filter.clock) deadlines = deadlines.where('journey_deadlines.clock', '=', filter.clock);
        return eb.exists(deadlines);
      });
    }
    return q;
  }
}

/** The figures' columns of a journey row (store/journey-view.ts); all null for a view that is not a journey's. */
function figureColumns(f: ViewFigures | undefined) {
  return {
    view_today: f?.today ?? null,
    permit_granted_on: f?.permitGrantedOn ?? null,
    intake_held_on: f?.intakeHeldOn ?? null,
    permit_to_intake_days: f?.permitToIntakeDays ?? null,
    reintegration_due: f?.reintegrationDue ?? null,
    reintegration_started_on: f?.reintegrationStartedOn ?? null,
    phase_later: f?.phaseLater?.status ?? null,
    phase_later_on: f?.phaseLater?.on ?? null,
  };
}

/** Whether a stored birth date is sealed (platform/sealing.ts envelope) rather than a date in clear. */
function isSealed(value: string): boolean {
  return value.startsWith('v2.') || value.startsWith('v1.');
}

/**
 * A copy of `value` (JSON) with every string property named `birthDate`, at any depth, replaced by
 * `map`'s answer (left out when it answers undefined): the facts, a correction's replaced dates, any later field.
 */
export function mapBirthDates(value: unknown, map: (date: string) => string | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => mapBirthDates(item, map));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === 'birthDate' && typeof item === 'string') {
      const mapped = map(item);
      if (mapped !== undefined) out[key] = mapped;
    } else {
      out[key] = mapBirthDates(item, map);
    }
  }
  return out;
}

async function writeClockRows(db: Db, journeyId: string, figures: ViewFigures | undefined): Promise<void> {
  await db.deleteFrom('journey_clocks').where('journey_id', '=', journeyId).execute();
  if (!figures || figures.clocks.length === 0) return;
  await db
    .insertInto('journey_clocks')
    .values(
      figures.clocks.map((c) => ({
        journey_id: journeyId,
        clock: c.clock,
        status: c.status,
        final_date: c.finalDate,
        settled_on: c.settledOn ?? null,
        lapsed_status: c.later?.status ?? null,
        lapses_on: c.later?.on ?? null,
      })),
    )
    .execute();
}

/** Rewrites a stored row's figures from its view (the migration that introduced them fills the rows written before). */
export async function writeFigures(db: Db, journeyId: string, figures: ViewFigures | undefined): Promise<void> {
  await db.updateTable('journeys').set(figureColumns(figures)).where('journey_id', '=', journeyId).execute();
  await writeClockRows(db, journeyId, figures);
}

/**
 * The exact counts behind the dashboard (JourneyReadModel.figureCounts); the API turns them into its
 * figures. Months are `YYYY-MM`.
 */
export interface FigureCounts {
  /** Journeys per municipality and month of the permit; `available` of them with a live run. */
  journeys: Array<{ municipality: string; month?: string; available: number; count: number }>;
  /** How many intakes came `days` after the permit, per municipality or month of the permit. */
  intakes: Record<'municipality' | 'month', Array<{ key: string; days: number; count: number }>>;
  /** Intakes whose three months are over or that started re-integration; `yes` within them. Per municipality and month of the intake. */
  reintegration: Array<{ municipality: string; month: string; total: number; yes: number }>;
  /**
   * Clocks per municipality or month of the final date, per clock and status on today: how many,
   * how many settled on or before their final date, and how many with a final date within each horizon.
   */
  clocks: Record<'municipality' | 'month', Array<{ key: string; clock: string; status: string; count: number; settledInTime: number; within: Record<number, number> }>>;
  /** The process view's counts per step (JourneyReadModel.stepCounts). */
  steps: StepCount[];
}

/** Of one clock (a step of the process) in one status on today: how many running journeys are there. */
export interface StepCount {
  clock: string;
  status: string;
  count: number;
}

/** A clock row's status on `today` as GET derives it (store/journey-view.ts): the lapsed one from the day it lapses. */
function clockStatusOn(today: string) {
  return sql<string>`case when journey_clocks.lapses_on <= ${today} then journey_clocks.lapsed_status else journey_clocks.status end`;
}

export interface JourneyPage {
  journeys: JourneyListRow[];
  nextCursor?: string;
}

/**
 * The journey's phase on `today` as GET shows it: of a live run (running, completed) the stored one
 * until `phase_later_on` (store/journey-view.ts); of a stopped run the stored one.
 */
function phaseOn(today: string) {
  return sql<string>`case when journeys.phase_later_on <= ${today} and journeys.run_status in ('running', 'completed') then journeys.phase_later else journeys.phase end`;
}

/** A deadline still open whose final date has passed on `today`: the journey is overdue (from the day after the final date). */
function overdueOn(eb: ExpressionBuilder<KoersDatabase, 'journeys'>, today: string) {
  return eb.exists(
    eb
      .selectFrom('journey_deadlines')
      .select('journey_deadlines.journey_id')
      .whereRef('journey_deadlines.journey_id', '=', 'journeys.journey_id')
      .where('journey_deadlines.open', '=', 1)
      .where('journey_deadlines.final_date', '<', today),
  );
}

/** Keyset cursors carry the last row's (started_at, journey_id) with a check, so a forged or stale-format token is refused at once. */
export function encodeJourneyCursor(key: [string, string]): string {
  return encodeCursor(JOURNEY_CURSOR, key);
}

/** The key in `cursor`, or null when it is not one {@link encodeJourneyCursor} made. */
export function decodeJourneyCursor(cursor: string): [string, string] | null {
  return decodeCursor(JOURNEY_CURSOR, cursor, 2) as [string, string] | null;
}

const JOURNEY_CURSOR = 'koers-journey-cursor';
