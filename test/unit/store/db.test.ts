/**
 * A database that restarts, fails over or ends sessions costs a reconnect, never the process: the
 * server ends every connection of the pool (57P01, as on a restart) and the store goes on.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openDatabase, type Db } from '../../../store/db';
import { Outbox } from '../../../store/outbox';
import { describeEachDatabase } from './databases';

/** Ends every other session on this database, as a restart or `pg_terminate_backend` by an administrator does. */
async function terminateOtherSessions(admin: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid()`.execute(admin);
  return rows[0]!.n;
}

const message = (key: string) => ({ idempotencyKey: key, kind: 'reminder' as const, channel: 'webhook' as const, recipient: 'http://127.0.0.1:1/', subject: 's', body: 'b' });

describeEachDatabase('database connections', (t) => {
  const postgresOnly = t.kind === 'postgres' ? it : it.skip;

  postgresOnly('survive the server ending idle and checked-out connections: the next query reconnects', async () => {
    const errors: Error[] = [];
    const db = t.openAnother({ poolSize: 4, onIdleError: (err) => errors.push(err) });
    const outbox = new Outbox(db);
    // Four connections in the pool, all idle afterwards.
    await Promise.all(Array.from({ length: 4 }, (_, i) => outbox.enqueue(message(`before-${i}`))));

    // One connection checked out between two statements of a transaction when the server ends it.
    let inTransaction: unknown;
    const transaction = db.transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await sql`select 1`.execute(trx);
    }).catch((err: unknown) => (inTransaction = err));
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(await terminateOtherSessions(t.db())).toBeGreaterThanOrEqual(4);
    await transaction;
    expect(inTransaction).toBeInstanceOf(Error);
    // The ended connections were reported, not thrown at the process.
    for (let i = 0; i < 50 && errors.length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(errors.length).toBeGreaterThanOrEqual(3);
    expect(errors.map((e) => (e as { code?: string }).code ?? e.message)).toContain('57P01');

    // The pool opens fresh connections: nothing written before is lost, writing goes on.
    await Promise.all(Array.from({ length: 6 }, (_, i) => outbox.enqueue(message(`after-${i}`))));
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from outbox`.execute(db);
    expect(rows[0]!.n).toBe(10);
  });
});

describe('SQLite shared by the API and the worker processes', () => {
  it('a transaction that read before the other process wrote still commits: it takes the write lock at its start', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koers-sqlite-'));
    const file = path.join(dir, 'koers.db');
    const db = openDatabase(`sqlite:${file}`);
    try {
      await sql`create table writes (writer text primary key)`.execute(db);
      // The other process (the API) writes one row on its own connection, as soon as it is told to.
      const other = spawn(process.execPath, ['-e', `
        const db = new (require('better-sqlite3'))(process.argv[1]);
        db.pragma('busy_timeout = 5000');
        process.stdin.once('data', () => {
          process.stdout.write('writing\\n');
          db.prepare("insert into writes (writer) values ('other')").run();
          process.exit(0);
        });`, file], { cwd: path.resolve(__dirname, '../../..'), stdio: ['pipe', 'pipe', 'inherit'] });
      const exited = new Promise<number | null>((resolve) => other.once('exit', resolve));
      const writing = new Promise((resolve) => other.stdout!.once('data', resolve));

      // The worker's read-then-write transaction (the read model's write has this shape); the other
      // process writes between its read and its write.
      await db.transaction().execute(async (trx) => {
        await sql`select count(*) from writes`.execute(trx);
        other.stdin!.write('go\n');
        await writing;
        await new Promise((resolve) => setTimeout(resolve, 200));
        await sql`insert into writes (writer) values ('worker')`.execute(trx);
      });
      // The other process waited for the lock (its busy timeout) and then wrote too.
      expect(await exited).toBe(0);
      const { rows } = await sql<{ writer: string }>`select writer from writes order by writer`.execute(db);
      expect(rows.map((r) => r.writer)).toEqual(['other', 'worker']);
    } finally {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
