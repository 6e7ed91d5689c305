/**
 * What the installation knows about itself (table `koers_instance`): the check value of the secret that
 * sealed its data, so Koers refuses to start under another secret (platform/data-dir.ts), and the row
 * /health's store-write probe writes (api/meta.ts), so a full disk or a read-only store shows.
 */
import type { Db } from './db';

const SECRET_CHECK = 'secret-check';
const HEALTH_PROBE = 'health-probe';
const SPACE_PROBE = 'health-probe-space';
/** More than a SQLite page (4 KiB): the probe needs the store to take new pages. */
const SPACE_PROBE_BYTES = 8192;

export class InstanceStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Records `check` (a keyed hash of the secret, never the secret) when the store has none; returns
   * whether the stored one is this one. Concurrent first starts agree: the first insert wins.
   */
  async matchesSecret(check: string): Promise<boolean> {
    await this.db
      .insertInto('koers_instance')
      .values({ name: SECRET_CHECK, value: check, updated_at: this.now().toISOString() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await this.db.selectFrom('koers_instance').select('value').where('name', '=', SECRET_CHECK).executeTakeFirstOrThrow();
    return row.value === check;
  }

  /**
   * Writes the probe row, and a page's worth of data it removes again (a store that cannot grow, a full
   * disk, fails on that even where an update in place would still fit); throws what the store throws
   * (SQLITE_FULL, a read-only file, a lost server). No transaction around them: SQLite rolls back on
   * SQLITE_FULL itself, and the rollback after it would report "no transaction" instead of the cause.
   */
  async probeWrite(): Promise<void> {
    const at = this.now().toISOString();
    await this.db.insertInto('koers_instance').values({ name: SPACE_PROBE, value: 'x'.repeat(SPACE_PROBE_BYTES), updated_at: at }).onConflict((oc) => oc.column('name').doNothing()).execute();
    await this.db.deleteFrom('koers_instance').where('name', '=', SPACE_PROBE).execute();
    await this.db
      .insertInto('koers_instance')
      .values({ name: HEALTH_PROBE, value: at, updated_at: at })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value: at, updated_at: at }))
      .execute();
  }
}
