/**
 * Schema migrations, kept in code so the worker and the API migrate at start-up with no files to
 * ship. Append new migrations; never edit one that has been released (Kysely records applied names).
 * Only `text` and `integer` columns, so the same migration runs on SQLite and PostgreSQL. Migrations
 * take `Kysely<unknown>`: they must not lean on today's schema types, which later migrations change.
 */
import { Kysely, Migration, MigrationResultSet, Migrator, sql, type SqlBool } from 'kysely';
import type { Db } from './db';
import { viewFigures } from './journey-view';
import { writeFigures } from './journeys';

export const migrations: Record<string, Migration> = {
  '0001_tasks': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('tasks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('journey_id', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('municipality', 'text', (c) => c.notNull())
        .addColumn('candidate_group', 'text', (c) => c.notNull())
        .addColumn('journey_role', 'text')
        .addColumn('assignee', 'text')
        .addColumn('clock', 'text')
        .addColumn('follow_up_date', 'text', (c) => c.notNull())
        .addColumn('due_date', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'claimed', 'completed', 'cancelled')`))
        .addColumn('form', 'text')
        .addColumn('completed_by', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('completed_at', 'text')
        .addColumn('cancelled_at', 'text')
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
        // The projection's idempotency rests on this: a retried or concurrent sync cannot add a second task.
        .addUniqueConstraint('tasks_journey_key_uq', ['journey_id', 'key'])
        .execute();
      await db.schema.createIndex('tasks_status_due_idx').on('tasks').columns(['status', 'due_date']).execute();
      await db.schema.createIndex('tasks_assignee_idx').on('tasks').columns(['assignee', 'status', 'due_date']).execute();
      await db.schema.createIndex('tasks_municipality_idx').on('tasks').columns(['municipality', 'status', 'due_date']).execute();

      await db.schema
        .createTable('task_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
        // The task's version after the change: orders events even when two share a timestamp.
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('actor', 'text')
        .addColumn('detail', 'text')
        .execute();
      await db.schema.createIndex('task_events_task_idx').on('task_events').columns(['task_id', 'version']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('task_events').execute();
      await db.schema.dropTable('tasks').execute();
    },
  },
  '0002_outbox': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('outbox')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'sending', 'delivered', 'dead')`))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('locked_until', 'text')
        .addColumn('lock_token', 'text')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('delivered_at', 'text')
        .execute();
      await db.schema.createIndex('outbox_due_idx').on('outbox').columns(['status', 'next_attempt_at']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('outbox').execute();
    },
  },
  '0003_calendar_tokens': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('calendar_tokens')
        .addColumn('user_id', 'text', (c) => c.primaryKey())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('calendar_tokens').execute();
    },
  },
  '0004_person_index': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('person_index')
        .addColumn('municipality', 'text', (c) => c.notNull())
        .addColumn('person_key', 'text', (c) => c.notNull())
        .addColumn('journey_id', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        // Set once Temporal has the journey: from then on the entry alone answers a second create.
        .addColumn('started_at', 'text')
        // The contract's 409 rests on this: one journey per person per municipality, also after a move.
        .addPrimaryKeyConstraint('person_index_pk', ['municipality', 'person_key'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('person_index').execute();
    },
  },
  '0005_journey_retention': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('journey_retention')
        .addColumn('journey_id', 'text', (c) => c.primaryKey())
        .addColumn('municipality', 'text', (c) => c.notNull())
        .addColumn('ended_on', 'text', (c) => c.notNull())
        .addColumn('end_reason', 'text', (c) => c.notNull())
        .addColumn('erase_after', 'text', (c) => c.notNull())
        .addColumn('retention_basis', 'text', (c) => c.notNull())
        .addColumn('erased_at', 'text')
        .addColumn('erasure_ground', 'text')
        .addColumn('erased_by', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('journey_retention_due_idx').on('journey_retention').columns(['erased_at', 'erase_after']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('journey_retention').execute();
    },
  },
  '0006_staff_pseudonyms': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('staff_pseudonyms')
        .addColumn('pseudonym', 'text', (c) => c.primaryKey())
        .addColumn('staff_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('staff_pseudonyms').execute();
    },
  },
  '0007_journey_read_model': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('journeys')
        .addColumn('journey_id', 'text', (c) => c.primaryKey())
        // The journey's own write counter (workflows/journey-state.ts projectionSeq): only a higher one is written.
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('municipality', 'text', (c) => c.notNull())
        .addColumn('regime', 'text', (c) => c.notNull())
        .addColumn('phase', 'text', (c) => c.notNull())
        .addColumn('run_status', 'text', (c) => c.notNull())
        .addColumn('caseworker_role', 'text')
        .addColumn('caseworker_id', 'text')
        .addColumn('next_final_date', 'text')
        .addColumn('next_wake_up', 'text')
        .addColumn('bsn_ciphertext', 'text')
        .addColumn('view', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('journeys_municipality_idx').on('journeys').columns(['municipality', 'phase', 'run_status']).execute();
      await db.schema.createIndex('journeys_started_idx').on('journeys').columns(['started_at', 'journey_id']).execute();
      await db.schema.createIndex('journeys_next_final_idx').on('journeys').columns(['next_final_date']).execute();
      await db.schema
        .createTable('journey_deadlines')
        .addColumn('journey_id', 'text', (c) => c.notNull().references('journeys.journey_id').onDelete('cascade'))
        .addColumn('clock', 'text', (c) => c.notNull())
        .addColumn('final_date', 'text', (c) => c.notNull())
        // 1 while the deadline can still be missed (running or overdue), 0 once met or waived.
        .addColumn('open', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('journey_deadlines_pk', ['journey_id', 'clock'])
        .execute();
      await db.schema.createIndex('journey_deadlines_final_idx').on('journey_deadlines').columns(['open', 'final_date']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('journey_deadlines').execute();
      await db.schema.dropTable('journeys').execute();
    },
  },
  '0008_policy_versions': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('policy_versions')
        .addColumn('policy_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('policy', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('amended_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('policy_versions_pk', ['policy_id', 'version'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('policy_versions').execute();
    },
  },
  '0009_i25_figures': {
    async up(db: Kysely<unknown>) {
      // What the dashboard's figures read in SQL (store/journey-view.ts ViewFigures), beside the view they come from.
      for (const column of ['view_today', 'permit_granted_on', 'intake_held_on', 'reintegration_due', 'reintegration_started_on', 'phase_later', 'phase_later_on']) {
        await db.schema.alterTable('journeys').addColumn(column, 'text').execute();
      }
      await db.schema.alterTable('journeys').addColumn('permit_to_intake_days', 'integer').execute();
      await db.schema
        .createTable('journey_clocks')
        .addColumn('journey_id', 'text', (c) => c.notNull().references('journeys.journey_id').onDelete('cascade'))
        .addColumn('clock', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('final_date', 'text', (c) => c.notNull())
        .addColumn('settled_on', 'text')
        .addColumn('lapsed_status', 'text')
        .addColumn('lapses_on', 'text')
        .addPrimaryKeyConstraint('journey_clocks_pk', ['journey_id', 'clock'])
        .execute();
      // The rows written before: their figures from their stored views, a page at a time.
      const journeys = db as unknown as Db;
      let after = '';
      for (;;) {
        const rows = await journeys.selectFrom('journeys').select(['journey_id', 'view']).where('journey_id', '>', after).orderBy('journey_id').limit(500).execute();
        if (rows.length === 0) break;
        for (const row of rows) await writeFigures(journeys, row.journey_id, viewFigures(JSON.parse(row.view)));
        after = rows[rows.length - 1]!.journey_id;
      }
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('journey_clocks').execute();
      for (const column of ['view_today', 'permit_granted_on', 'intake_held_on', 'permit_to_intake_days', 'reintegration_due', 'reintegration_started_on', 'phase_later', 'phase_later_on']) {
        await db.schema.alterTable('journeys').dropColumn(column).execute();
      }
      },
    },
  // Signals a store write owes a journey, until Temporal has them (store/journey-signals.ts, issue 24).
  '0009_i24_journey_signals': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('journey_signals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
        .addColumn('journey_id', 'text', (c) => c.notNull())
        .addColumn('signal', 'text', (c) => c.notNull())
        .addColumn('arg', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('journey_signals_due').on('journey_signals').columns(['next_attempt_at']).execute();
      await db.schema.createIndex('journey_signals_journey').on('journey_signals').columns(['journey_id']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('journey_signals').execute();
    },
  },
  // Issue 21 / contract v1.2: one journey per BSN per municipality, the reference and name sealed for
  // the pages, and search by reference (case-insensitive), BSN and name, all by keyed hashes.
  '0009_i21a_person_details': {
    async up(db: Kysely<unknown>) {
      for (const column of ['bsn_key', 'ref_key', 'ref_sealed', 'name_sealed', 'name_keys']) {
        await db.schema.alterTable('person_index').addColumn(column, 'text').execute();
      }
      // NULLs are distinct in a unique index on SQLite and PostgreSQL: journeys without a BSN never collide.
      await db.schema.createIndex('person_index_bsn_idx').on('person_index').columns(['municipality', 'bsn_key']).unique().execute();
      await db.schema.createIndex('person_index_bsn_key_idx').on('person_index').column('bsn_key').execute();
      await db.schema.createIndex('person_index_ref_key_idx').on('person_index').column('ref_key').execute();
    },
    async down(db: Kysely<unknown>) {
      for (const index of ['person_index_ref_key_idx', 'person_index_bsn_key_idx', 'person_index_bsn_idx']) await db.schema.dropIndex(index).execute();
      for (const column of ['name_keys', 'name_sealed', 'ref_sealed', 'ref_key', 'bsn_key']) {
        await db.schema.alterTable('person_index').dropColumn(column).execute();
      }
    },
  },
  '0009_i20_sessions': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('web_sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('principal', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text')
        .addColumn('refresh_token', 'text')
        .addColumn('id_token', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('checked_at', 'text')
        .execute();
      // The sweep of ended sessions reads by end.
      await db.schema.createIndex('web_sessions_expires_idx').on('web_sessions').columns(['expires_at']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('web_sessions').execute();
    },
  },
  '0009_i25_list_indexes': {
    async up(db: Kysely<unknown>) {
      // Lists at scale (100,000 journeys, 1,000,000 tasks): each list's filter and order in one index, so a page
      // is read in order and stops at its size instead of sorting every match.
      await db.schema.createIndex('journeys_municipality_started_idx').on('journeys').columns(['municipality', 'started_at', 'journey_id']).execute();
      // The inboxes ask for open and claimed tasks (store/tasks.ts ACTIVE): the completed ones, most of them in time, stay out of these.
      const active = sql<SqlBool>`status in ('open', 'claimed')`;
      await db.schema.createIndex('tasks_active_municipality_due_idx').on('tasks').columns(['municipality', 'due_date', 'id']).where(active).execute();
      await db.schema.createIndex('tasks_active_assignee_due_idx').on('tasks').columns(['assignee', 'due_date', 'id']).where(active).execute();
      await db.schema.createIndex('tasks_active_due_idx').on('tasks').columns(['due_date', 'id']).where(active).execute();
    },
    async down(db: Kysely<unknown>) {
      for (const index of ['journeys_municipality_started_idx', 'tasks_active_municipality_due_idx', 'tasks_active_assignee_due_idx', 'tasks_active_due_idx']) await db.schema.dropIndex(index).execute();
    },
  },
  // The staff directory (staff/directory.ts): employees as their sign-ins describe them.
  '0009_i20b_staff': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('staff')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('team', 'text')
        .addColumn('active', 'integer', (c) => c.notNull())
        .addColumn('last_sign_in_at', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('staff_municipalities')
        .addColumn('staff_id', 'text', (c) => c.notNull().references('staff.id').onDelete('cascade'))
        .addColumn('municipality', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('staff_municipalities_pk', ['staff_id', 'municipality'])
        .execute();
      await db.schema.createIndex('staff_municipalities_municipality_idx').on('staff_municipalities').columns(['municipality', 'staff_id']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('staff_municipalities').execute();
      await db.schema.dropTable('staff').execute();
      },
    },
  '0009_i25_deadline_lookup': {
    async up(db: Kysely<unknown>) {
      // "Is this journey overdue" per listed journey: by the journey first. Without it SQLite answered each row's
      // EXISTS from (open, final_date), reading every overdue deadline of every journey per row (10,000 journeys: 0.6 s a page).
      await db.schema.createIndex('journey_deadlines_journey_open_idx').on('journey_deadlines').columns(['journey_id', 'open', 'final_date']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('journey_deadlines_journey_open_idx').execute();
    },
  },
  '0010_i24d_instance': {
    async up(db: Kysely<unknown>) {
      // What the installation knows about itself (store/instance.ts): the check of the secret that sealed its
      // data, and the row /health's store-write probe writes.
      await db.schema
        .createTable('koers_instance')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('koers_instance').execute();
    },
  },
  // The journey as a zaak in the municipality's zaak registration (chain/zaken, issue 23): the zaken Koers
  // keeps, and an order per zaak in the outbox (a status only after its zaak was created).
  '0010_i23z_zaken': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('outbox').addColumn('sequence_key', 'text').execute();
      await db.schema.alterTable('outbox').addColumn('sequence', 'integer').execute();
      await db.schema.createIndex('outbox_sequence_idx').on('outbox').columns(['sequence_key', 'sequence']).execute();
      await db.schema
        .createTable('zaken')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('journey_id', 'text')
        .addColumn('municipality', 'text', (c) => c.notNull())
        .addColumn('identificatie', 'text')
        .addColumn('zaak_url', 'text')
        .addColumn('zaak_uuid', 'text')
        .addColumn('phase', 'text')
        .addColumn('final_date', 'text')
        .addColumn('rol', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('open', 'closed', 'archived')`))
        .addColumn('next_sequence', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('zaken_journey_idx').on('zaken').columns(['journey_id', 'created_at']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('zaken').execute();
      await db.schema.dropIndex('outbox_sequence_idx').execute();
      await db.schema.alterTable('outbox').dropColumn('sequence').execute();
      await db.schema.alterTable('outbox').dropColumn('sequence_key').execute();
    },
  },
  // Issue 23: the processing log (Logboek Dataverwerkingen), append-only (processing-log/index.ts).
  '0010_i23l_processing_log': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('processing_log')
        .addColumn('trace_id', 'text', (c) => c.notNull())
        .addColumn('operation_id', 'text', (c) => c.notNull())
        .addColumn('parent_operation_id', 'text')
        .addColumn('status_code', 'integer', (c) => c.notNull().check(sql`status_code in (0, 1, 2)`))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('start_time', 'text', (c) => c.notNull())
        .addColumn('end_time', 'text', (c) => c.notNull())
        .addColumn('foreign_trace_id', 'text')
        .addColumn('foreign_operation_id', 'text')
        .addColumn('foreign_entity', 'text')
        .addColumn('activity', 'text', (c) => c.notNull())
        .addColumn('processing_activity_id', 'text', (c) => c.notNull())
        .addColumn('data_subject_id', 'text')
        .addColumn('data_subject_key', 'text')
        .addColumn('journey_ref', 'text')
        .addColumn('actor', 'text', (c) => c.notNull())
        // One record per operation: a second write of the same operation is refused, not added.
        .addPrimaryKeyConstraint('processing_log_pk', ['trace_id', 'operation_id'])
        .execute();
      // The privacy officer's questions: one person's records (by BSN key or journey), newest first.
      await db.schema.createIndex('processing_log_subject_idx').on('processing_log').columns(['data_subject_key', 'start_time']).execute();
      await db.schema.createIndex('processing_log_journey_idx').on('processing_log').columns(['journey_ref', 'start_time']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('processing_log').execute();
    },
  },
  // Issue 24 (fault 10): a move is in force for every access check before its 202; the journey's own
  // writes, still on their way from before it, keep the municipality the move set (store/journeys.ts).
  '0010_i24c_journey_moved_to': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('journeys').addColumn('moved_to', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('journeys').dropColumn('moved_to').execute();
    },
  },
  // Who deactivated a colleague who left, when and why (issue 20, finding 8): an offboarding is accountable.
  '0010_i20c_staff_deactivation': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('staff').addColumn('deactivated_by', 'text').execute();
      await db.schema.alterTable('staff').addColumn('deactivated_at', 'text').execute();
      await db.schema.alterTable('staff').addColumn('deactivation_reason', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('staff').dropColumn('deactivation_reason').execute();
      await db.schema.alterTable('staff').dropColumn('deactivated_at').execute();
      await db.schema.alterTable('staff').dropColumn('deactivated_by').execute();
    },
  },
  // Issue 25: the dashboard's and the process view's counts (store/journeys.ts figureCounts) read only these
  // indexes, never the rows: a journey's row carries its view (kilobytes), and SQLite keeps the figures'
  // columns (added after it) behind the view's overflow pages, so a scan of the rows read every view.
  '0011_i25p_figure_indexes': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex('journeys_figures_idx')
        .on('journeys')
        .columns(['municipality', 'regime', 'run_status', 'phase', 'phase_later', 'phase_later_on', 'permit_granted_on', 'permit_to_intake_days', 'intake_held_on', 'reintegration_due', 'reintegration_started_on', 'journey_id'])
        .execute();
      await db.schema.createIndex('journey_clocks_figures_idx').on('journey_clocks').columns(['journey_id', 'clock', 'status', 'final_date', 'settled_on', 'lapsed_status', 'lapses_on']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('journey_clocks_figures_idx').execute();
      await db.schema.dropIndex('journeys_figures_idx').execute();
    },
  },
  // Finding 1 of the second trial: a list shows a journey that ended for a reason (death, emigration) as
  // ended, and filters on it, from columns (the view is JSON text the list does not parse). Rows of
  // journeys that ended before get theirs from their view.
  '0011_f1_journey_end_reason': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('journeys').addColumn('end_reason', 'text').execute();
      await db.schema.alterTable('journeys').addColumn('ended_on', 'text').execute();
      const journeys = db as unknown as Kysely<{ journeys: { journey_id: string; view: string; end_reason: string | null; ended_on: string | null } }>;
      const rows = await journeys.selectFrom('journeys').select(['journey_id', 'view']).where('view', 'like', '%"ended":{%').execute();
      for (const row of rows) {
        const ended = (JSON.parse(row.view) as { ended?: { reason?: string; on?: string } }).ended;
        if (!ended?.reason) continue;
        await journeys.updateTable('journeys').set({ end_reason: ended.reason, ended_on: ended.on ?? null }).where('journey_id', '=', row.journey_id).execute();
      }
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('journeys').dropColumn('ended_on').execute();
      await db.schema.alterTable('journeys').dropColumn('end_reason').execute();
    },
  },
};

function migrator(db: Db): Migrator {
  // Parallel branches append `0009_<branch>_…` migrations: one merged later may sort before one a
  // store has already applied, and must still run (they touch different tables).
  return new Migrator({ db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
}

function check({ error, results }: MigrationResultSet): string[] {
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Runs a migrator's `migrateToLatest` so that processes starting at once on one SQLite file do not fail
 * each other: Kysely locks the migration table on PostgreSQL, but on SQLite its lock does not reach another
 * process, so one may find a table or column the other just made, the file locked, or the migration just recorded
 * by the other. Then it waits and tries again, and finds the other's migrations applied. Other errors,
 * and the fifth collision, are thrown.
 */
export async function migrateAcrossProcesses<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      const message = err instanceof Error ? `${err.message} ${String((err.cause as Error | undefined)?.message ?? '')}` : String(err);
      if (attempt >= 5 || !/already exists|duplicate column name|database is locked|SQLITE_BUSY|UNIQUE constraint failed/.test(message)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}

/** Applies pending migrations, beside other processes ({@link migrateAcrossProcesses}); returns their names. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  return migrateAcrossProcesses(async () => check(await migrator(db).migrateToLatest()));
}

/** Reverts the most recent migration; for tests and a manual roll-back. */
export async function migrateDown(db: Db): Promise<string[]> {
  return check(await migrator(db).migrateDown());
}
