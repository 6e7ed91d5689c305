/**
 * Runs one store test suite against every database Koers supports: SQLite always, PostgreSQL when
 * KOERS_TEST_POSTGRES_URL is set (scripts/test-postgres.sh start prints one). In CI a missing URL is a
 * failure, not a skip, so the PostgreSQL half cannot silently stop running.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { Client } from 'pg';
import { databaseKind, openDatabase, type DatabaseKind, type Db, type OpenOptions } from '../../../store/db';
import { migrateToLatest } from '../../../store/migrations';

export interface TestDatabase {
  kind: DatabaseKind;
  /** The database of the running test (fresh tables for each test). */
  db(): Db;
  /** Opens another connection (pool) to the same database, like a second instance would. */
  openAnother(options?: OpenOptions): Db;
}

const postgresUrl = process.env.KOERS_TEST_POSTGRES_URL;

export function describeEachDatabase(title: string, suite: (t: TestDatabase) => void, options: { migrate?: boolean } = {}): void {
  describeDatabase(title, 'sqlite', suite, options);
  if (postgresUrl) describeDatabase(title, 'postgres', suite, options);
  else if (process.env.CI) {
    describe(`${title} [postgres]`, () => {
      it('runs against PostgreSQL', () => {
        throw new Error('KOERS_TEST_POSTGRES_URL is not set: start a server with scripts/test-postgres.sh start and export its URL');
      });
    });
  }
}

function describeDatabase(title: string, kind: DatabaseKind, suite: (t: TestDatabase) => void, options: { migrate?: boolean }) {
  describe(`${title} [${kind}]`, () => {
    let url = '';
    let dbName = '';
    let current: Db | undefined;
    const others: Db[] = [];

    beforeAll(async () => {
      if (kind === 'postgres') {
        // One database per suite, so parallel jest workers and earlier runs cannot interfere.
        dbName = `koers_t_${randomBytes(6).toString('hex')}`;
        await adminQuery(`CREATE DATABASE ${dbName}`);
        const u = new URL(postgresUrl!);
        u.pathname = `/${dbName}`;
        url = u.toString();
      }
    });

    beforeEach(async () => {
      if (kind === 'sqlite') {
        current = openDatabase('sqlite::memory:');
      } else {
        current = openDatabase(url, { poolSize: 12 });
        await dropAll(current);
      }
      if (options.migrate !== false) await migrateToLatest(current);
    });

    afterEach(async () => {
      for (const d of others.splice(0)) await d.destroy();
      await current?.destroy();
      current = undefined;
    });

    afterAll(async () => {
      if (kind === 'postgres') await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    });

    suite({
      kind,
      db: () => {
        if (!current) throw new Error('no database outside a test');
        return current;
      },
      openAnother: (openOptions = {}) => {
        if (kind === 'sqlite') throw new Error('an in-memory SQLite database has one connection');
        const d = openDatabase(url, { poolSize: 12, ...openOptions });
        others.push(d);
        return d;
      },
    });
  });
}

async function adminQuery(text: string): Promise<void> {
  const client = new Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** A clean slate in the suite's PostgreSQL database: every table, including Kysely's migration log. */
async function dropAll(db: Db): Promise<void> {
  if (databaseKind(db) !== 'postgres') return;
  await sql`DROP SCHEMA public CASCADE`.execute(db);
  await sql`CREATE SCHEMA public`.execute(db);
}
