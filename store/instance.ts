/**
 * What the installation knows about itself (table `koers_instance`): the check value of the secret that
 * sealed its data, so Koers refuses to start under another secret (platform/data-dir.ts), and the row
 * /health's store-write probe writes (api/meta.ts), so a full disk or a read-only store shows.
 */
import type { Db } from './db';

const SECRET_CHECK = 'secret-check';
const HEALTH_PROBE = 'health-probe';

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

  /** Writes the probe row (a real write in a transaction of its own); throws what the store throws (SQLITE_FULL, a read-only file, a lost server). */
  async probeWrite(): Promise<void> {
    const at = this.now().toISOString();
    await this.db
      .insertInto('koers_instance')
      .values({ name: HEALTH_PROBE, value: at, updated_at: at })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value: at, updated_at: at }))
      .execute();
  }
}
