/**
 * The staff directory: the municipality's employees as Koers knows them from their sign-ins (id, name,
 * role, team, the municipalities they serve, active or not). It is what a reassignment checks a staff
 * id against and what the web app offers colleagues by name from.
 *
 * Staff are recorded by their sign-ins: the identity provider's (identity/, OpenID Connect) and, in a
 * development mode with API keys, a key's first authenticated use after each start
 * ({@link signInOfKey}). A name is personal data of an employee: it is answered to colleagues who may
 * see the same municipality, and never logged.
 *
 * Tables `staff` and `staff_municipalities` (migration `0009_i20b_staff` in store/migrations.ts), the
 * same on SQLite and PostgreSQL: text and integer columns, instants as ISO-8601 UTC strings.
 */
import type { Kysely } from 'kysely';
import { inTransaction, type Db, type KoersDatabase } from '../store/db';

/** The roles of staff (not machines): a caseworker, a team lead (coördinator), a functional administrator. */
export const STAFF_ROLES = ['caseworker', 'team-lead', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** The caseworker team a key's `teams` name that makes its holder a team lead (api/auth.ts `teams`). */
export const TEAM_LEAD = 'team-lead';

export interface StaffTable {
  /** The staff id tasks are assigned to and journeys name as their caseworker. */
  id: string;
  name: string;
  role: string;
  team: string | null;
  /** 1 active, 0 deactivated (left, role withdrawn): not offered, not assignable. */
  active: number;
  /** Who deactivated the person by hand (a team lead's or admin's staff id), when (ISO-8601 UTC) and why; null otherwise (migration `0010_i20c_staff_deactivation`). */
  deactivated_by: string | null;
  deactivated_at: string | null;
  deactivation_reason: string | null;
  last_sign_in_at: string;
  created_at: string;
  updated_at: string;
}

export interface StaffMunicipalitiesTable {
  staff_id: string;
  municipality: string;
}

type StaffTables = {
  staff: StaffTable;
  staff_municipalities: StaffMunicipalitiesTable;
};
type StaffDb = Kysely<KoersDatabase & StaffTables>;

/** What a sign-in tells about a person. */
export interface StaffSignIn {
  /** Staff id: 1-128 of `A-Za-z0-9_.@-` (api/auth.ts `staffIdSchema`). */
  id: string;
  /** The person's name as the identity provider has it (a key's `name` in development mode). */
  name: string;
  role: StaffRole;
  /** The caseworker team (candidate group, domain/vocabulary.ts CASEWORKER_ROLES) the person works in, if one. */
  team?: string;
  /** Municipality slugs the person serves; an admin may serve none and still see all. */
  municipalities: readonly string[];
}

/** One employee as the directory has them. */
export interface StaffMember {
  id: string;
  name: string;
  role: StaffRole;
  team?: string;
  municipalities: string[];
  active: boolean;
  /** Instant (ISO-8601 UTC) of the last recorded sign-in. */
  lastSignInAt: string;
  /** When inactive: the instant (ISO-8601 UTC) of the deactivation. */
  deactivatedAt?: string;
}

/** Why a staff id cannot be given work in a municipality. */
export type NotAssignable = 'unknown' | 'inactive' | 'elsewhere';

const collator = new Intl.Collator('nl', { sensitivity: 'base', numeric: true });

/**
 * Whether a principal is a team lead: the role `team-lead`, or (API keys) a caseworker whose `teams`
 * include `team-lead`. Takes the principal's shape only, so identity/ and api/ both use it.
 */
export function isTeamLead(principal: { role: string; teams?: readonly string[] }): boolean {
  return principal.role === TEAM_LEAD || (principal.role === 'caseworker' && (principal.teams ?? []).includes(TEAM_LEAD));
}

/** A principal's shape as the directory reads it (api/auth.ts `Principal`): its `name` is the staff id. */
export interface StaffPrincipal {
  role: string;
  name: string;
  municipalities: readonly string[];
  teams?: readonly string[];
}

/**
 * The sign-in a principal stands for when its role works tasks (caseworker, team lead, admin), with
 * `name` as the person's name (an API key has none: its `name`, the staff id, stands in); undefined for
 * a partner (a machine) and for roles that are given no work (reader, privacy officer). The team is the
 * principal's first team other than `team-lead`.
 */
export function signInOfKey(principal: StaffPrincipal, name: string = principal.name): StaffSignIn | undefined {
  if (principal.role !== 'caseworker' && principal.role !== 'admin' && principal.role !== TEAM_LEAD) return undefined;
  const team = (principal.teams ?? []).find((t) => t !== TEAM_LEAD);
  const role: StaffRole = principal.role === 'admin' ? 'admin' : isTeamLead(principal) ? 'team-lead' : 'caseworker';
  return { id: principal.name, name, role, ...(team ? { team } : {}), municipalities: principal.municipalities };
}

/**
 * Records a person's sign-in at the identity provider (identity/ calls it on every one): a role that
 * works tasks is recorded as active; a person whose groups now give a role that is given no work
 * (reader, privacy officer) is deactivated, so work is no longer handed to them.
 */
export async function recordStaffSignIn(directory: StaffDirectory, principal: StaffPrincipal, name: string): Promise<void> {
  const signIn = signInOfKey(principal, name);
  if (signIn) await directory.recordSignIn(signIn);
  else await directory.deactivate(principal.name);
}

export class StaffDirectory {
  private readonly db: StaffDb;

  constructor(
    private readonly base: Db,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.db = base.withTables<StaffTables>();
  }

  /**
   * Records a sign-in: creates or updates the person (name, role, team and municipalities as the
   * sign-in says), marks them active and sets the last sign-in time. Idempotent apart from that time.
   */
  async recordSignIn(signIn: StaffSignIn): Promise<void> {
    const at = this.now().toISOString();
    await inTransaction(this.base, async (trx) => {
      const tx: StaffDb = trx.withTables<StaffTables>();
      // A sign-in through the provider reactivates: whoever deactivated by hand is no longer the last word.
      const values = { name: signIn.name, role: signIn.role, team: signIn.team ?? null, active: 1, deactivated_by: null, deactivated_at: null, deactivation_reason: null, last_sign_in_at: at, updated_at: at };
      await tx
        .insertInto('staff')
        .values({ id: signIn.id, ...values, created_at: at })
        .onConflict((oc) => oc.column('id').doUpdateSet(values))
        .execute();
      await tx.deleteFrom('staff_municipalities').where('staff_id', '=', signIn.id).execute();
      const municipalities = [...new Set(signIn.municipalities)];
      if (municipalities.length > 0) {
        await tx.insertInto('staff_municipalities').values(municipalities.map((municipality) => ({ staff_id: signIn.id, municipality }))).execute();
      }
    });
  }

  /**
   * Marks a person inactive (left, role withdrawn): no longer offered or assignable. `by` is given when a
   * team lead or admin does it by hand (offboarding: their staff id and the reason are kept); a sign-in
   * through the identity provider reactivates. False when unknown.
   */
  async deactivate(id: string, by?: { staffId: string; reason: string }): Promise<boolean> {
    const at = this.now().toISOString();
    const who = by ? { deactivated_by: by.staffId, deactivated_at: at, deactivation_reason: by.reason } : {};
    const r = await this.db.updateTable('staff').set({ active: 0, updated_at: at, ...who }).where('id', '=', id).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** The person with this staff id, active or not; undefined when never signed in. */
  async find(id: string): Promise<StaffMember | undefined> {
    const row = await this.db.selectFrom('staff').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const municipalities = await this.db.selectFrom('staff_municipalities').select('municipality').where('staff_id', '=', id).execute();
    return toMember(row, municipalities.map((m) => m.municipality));
  }

  /**
   * Active staff who serve any of `municipalities` (every municipality when undefined), of `team` when
   * given, sorted by name (Dutch collation). Staff who serve no municipality (an admin) are listed only
   * when `municipalities` is undefined.
   */
  async colleagues(filter: { municipalities?: readonly string[]; team?: string } = {}): Promise<StaffMember[]> {
    if (filter.municipalities && filter.municipalities.length === 0) return [];
    let q = this.db.selectFrom('staff').selectAll().where('active', '=', 1);
    if (filter.team !== undefined) q = q.where('team', '=', filter.team);
    if (filter.municipalities) {
      const wanted = [...filter.municipalities];
      q = q.where('id', 'in', (eb) => eb.selectFrom('staff_municipalities').select('staff_id').where('municipality', 'in', wanted));
    }
    const rows = await q.execute();
    const served = await this.municipalitiesOf(rows.map((r) => r.id));
    return rows.map((r) => toMember(r, served.get(r.id) ?? [])).sort((a, b) => collator.compare(a.name, b.name) || a.id.localeCompare(b.id));
  }

  /**
   * Whether work of `municipality` may be given to `id`: an active person who serves it (an admin
   * serves every municipality). Otherwise why not: never signed in, deactivated, or serving elsewhere
   * (the task would be held by someone who cannot see it).
   */
  async assignable(id: string, municipality: string): Promise<{ ok: true; member: StaffMember } | { ok: false; reason: NotAssignable }> {
    const member = await this.find(id);
    if (!member) return { ok: false, reason: 'unknown' };
    if (!member.active) return { ok: false, reason: 'inactive' };
    if (member.role !== 'admin' && !member.municipalities.includes(municipality)) return { ok: false, reason: 'elsewhere' };
    return { ok: true, member };
  }

  private async municipalitiesOf(ids: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (ids.length === 0) return out;
    const rows = await this.db.selectFrom('staff_municipalities').select(['staff_id', 'municipality']).where('staff_id', 'in', ids).orderBy('municipality').execute();
    for (const row of rows) out.set(row.staff_id, [...(out.get(row.staff_id) ?? []), row.municipality]);
    return out;
  }
}

function toMember(row: StaffTable, municipalities: string[]): StaffMember {
  return {
    id: row.id,
    name: row.name,
    role: row.role as StaffRole,
    ...(row.team !== null ? { team: row.team } : {}),
    municipalities: [...municipalities].sort(),
    active: Number(row.active) === 1,
    lastSignInAt: row.last_sign_in_at,
    ...(Number(row.active) === 1 ? {} : { deactivatedAt: row.deactivated_at ?? row.updated_at }),
  };
}
