import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { databaseKind, openDatabase } from '../../../store/db';
import { migrateDown, migrateToLatest, migrations } from '../../../store/migrations';
import { describeEachDatabase } from './databases';

// Kysely applies migrations in the order of their names (parallel branches append `0009_<branch>_…`).
const all = Object.keys(migrations).sort();

describeEachDatabase(
  'migrations',
  (t) => {
    it('apply all at start-up, then nothing the second time', async () => {
      expect(await migrateToLatest(t.db())).toEqual(all);
      expect(await migrateToLatest(t.db())).toEqual([]);
      const tables = (await t.db().introspection.getTables()).map((x) => x.name);
      expect(tables).toEqual(expect.arrayContaining(['tasks', 'task_events', 'outbox', 'calendar_tokens']));
    });

    it('roll back one by one and forward again', async () => {
      await migrateToLatest(t.db());
      for (const name of [...all].reverse()) expect(await migrateDown(t.db())).toEqual([name]);
      expect((await t.db().introspection.getTables()).map((x) => x.name)).not.toContain('tasks');
      expect(await migrateToLatest(t.db())).toEqual(all);
    });

    it('enforce the unique (journey_id, key) of tasks', async () => {
      await migrateToLatest(t.db());
      const row = {
        journey_id: 'j-1',
        key: 'intake',
        kind: 'hold-intake',
        municipality: 'borger-odoorn',
        candidate_group: 'regisseur-werk',
        follow_up_date: '2026-05-01',
        due_date: '2026-05-10',
        status: 'open',
        journey_role: null,
        assignee: null,
        clock: null,
        form: null,
        completed_by: null,
        created_at: 'x',
        updated_at: 'x',
        completed_at: null,
        cancelled_at: null,
        version: 0,
      };
      await t.db().insertInto('tasks').values({ ...row, id: 'a' }).execute();
      // Matched by code: better-sqlite3's error class belongs to the first test file's realm, so not `instanceof Error` here.
      await expect(t.db().insertInto('tasks').values({ ...row, id: 'b' }).execute()).rejects.toMatchObject({
        code: t.kind === 'sqlite' ? 'SQLITE_CONSTRAINT_UNIQUE' : '23505',
      });
    });

    it('give the rows of journeys that ended for a reason before their end columns (0011_f1_journey_end_reason)', async () => {
      await migrateToLatest(t.db());
      const migration = migrations['0011_f1_journey_end_reason']!;
      await migration.down!(t.db());
      const journey = (id: string, view: unknown) =>
        sql`insert into journeys (journey_id, seq, municipality, regime, phase, run_status, view, started_at, updated_at) values (${id}, 1, 'borger-odoorn', 'wi2021', 'intake', 'completed', ${JSON.stringify(view)}, 'x', 'x')`.execute(t.db());
      await journey('j-ended', { clocks: [{ name: 'ontzorgen', status: 'ended' }], ended: { reason: 'emigrated', on: '2025-10-12', confirmedOn: '2026-12-07', confirmedBy: 'cw-1' } });
      await journey('j-done', { clocks: [{ name: 'ontzorgen', status: 'ended' }] });
      await migration.up(t.db());
      const rows = await t.db().selectFrom('journeys').select(['journey_id', 'end_reason', 'ended_on']).orderBy('journey_id').execute();
      expect(rows).toEqual([
        { journey_id: 'j-done', end_reason: null, ended_on: null },
        { journey_id: 'j-ended', end_reason: 'emigrated', ended_on: '2025-10-12' },
      ]);
    });

    it('run concurrently from two instances without failing', async () => {
      if (t.kind === 'sqlite') return; // one in-memory connection: nothing concurrent to test
      const results = await Promise.all([migrateToLatest(t.db()), migrateToLatest(t.openAnother())]);
      expect([...results[0]!, ...results[1]!].sort()).toEqual([...all].sort());
    });
  },
  { migrate: false },
);

describe('openDatabase', () => {
  it('opens a SQLite file in WAL mode with a busy timeout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'koers-db-'));
    const db = openDatabase(`sqlite:${join(dir, 'sub', 'koers.db')}`, { busyTimeoutMs: 1234 });
    try {
      expect(databaseKind(db)).toBe('sqlite');
      const mode = await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(db);
      expect(mode.rows[0]?.journal_mode).toBe('wal');
      const timeout = await sql<{ timeout: number }>`PRAGMA busy_timeout`.execute(db);
      expect(timeout.rows[0]?.timeout).toBe(1234);
      await migrateToLatest(db);
    } finally {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown URL without echoing its password', () => {
    expect(() => openDatabase('mysql://u:secret@host/db')).toThrow(/unsupported database URL "mysql:\/\/\*\*\*@host\/db"/);
    expect(() => openDatabase('sqlite:')).toThrow(/no path/);
  });

  it('knows a PostgreSQL URL without connecting', async () => {
    const db = openDatabase('postgres://nobody@127.0.0.1:1/none');
    expect(databaseKind(db)).toBe('postgres');
    await db.destroy();
  });
});
