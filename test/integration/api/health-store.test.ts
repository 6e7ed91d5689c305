import fs from 'node:fs';
import os from 'node:os';
import { sql } from 'kysely';
import { healthProbes } from '../../../platform/health';
import { InstanceStore } from '../../../store/instance';
import { apiHarness, type ApiHarness } from './harness';

/**
 * Issue 24, fault 8: while the disk is full /health answered ok and nothing in the log mentioned it.
 * The store-write probe on a SQLite store that cannot grow (`max_page_count`: SQLITE_FULL, what a full
 * disk gives), and the free space against KOERS_MIN_FREE_DISK_MB, measured with statfs.
 */
const TOKEN = 'health-token-0123456789-0123456789-abcdef';

describe('/health and the disk', () => {
  let h: ApiHarness;
  let logged: Array<{ obj: object; msg: string }>;
  let minFreeDiskMb = 1;

  beforeAll(async () => {
    h = await apiHarness({
      metricsToken: TOKEN,
      health: (db, logger) =>
        healthProbes({ dataDir: os.tmpdir(), get minFreeDiskMb() { return minFreeDiskMb; }, embedded: true }, new InstanceStore(db), {
          info: (obj, msg) => logger.info(obj, msg),
          error: (obj, msg) => {
            logged.push({ obj, msg });
            logger.error(obj, msg);
          },
        }),
    });
  });
  afterAll(async () => h?.stop());
  beforeEach(() => (logged = []));

  const health = () => h.as(undefined).get('/health').set('Authorization', `Bearer ${TOKEN}`);

  it('answers 503 naming the failing store write while the store cannot grow, and logs it once', async () => {
    const ok = await health();
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'ok', store: 'writable', disk: 'ok' });

    // The store's file at its last page: the next write that needs a page fails as on a full disk.
    await sql`vacuum`.execute(h.db);
    const pages = await sql<{ page_count: number }>`pragma page_count`.execute(h.db);
    await sql.raw(`pragma max_page_count = ${pages.rows[0]!.page_count}`).execute(h.db);
    try {
      const full = await health();
      expect(full.status).toBe(503);
      expect(full.body).toMatchObject({ temporal: 'reachable', store: 'write-failing', storeError: expect.stringMatching(/^SQLITE_FULL: database or disk is full/) });
      // Without the token: the status code, no details.
      const anonymous = await h.as(undefined).get('/health');
      expect(anonymous.status).toBe(503);
      expect(anonymous.body).not.toHaveProperty('storeError');
      expect(logged.map((l) => l.msg)).toEqual(['store write failed (is the disk full?): /health answers 503']);
    } finally {
      await sql.raw('pragma max_page_count = 1073741823').execute(h.db);
    }
    expect((await health()).body).toMatchObject({ status: 'ok', store: 'writable' });
  });

  it('is degraded, with the free space, below KOERS_MIN_FREE_DISK_MB', async () => {
    const free = fs.statfsSync(os.tmpdir());
    const freeMb = Math.floor((free.bavail * free.bsize) / 2 ** 20);
    minFreeDiskMb = freeMb + 1024;
    const low = await health();
    expect(low.status).toBe(200);
    expect(low.body).toMatchObject({ status: 'degraded', disk: 'low' });
    expect(Math.abs(low.body.diskFreeMb - freeMb)).toBeLessThan(1024);
    expect(logged.map((l) => l.msg)).toEqual(['disk space low under KOERS_DATA_DIR: /health degraded']);
    expect((await h.as(undefined).get('/health')).body).toEqual({ status: 'degraded' });
    minFreeDiskMb = 1;
    expect((await health()).body).toMatchObject({ status: 'ok', disk: 'ok' });
  });
});
