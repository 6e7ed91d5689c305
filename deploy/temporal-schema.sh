#!/usr/bin/env bash
# Creates or migrates Temporal's schemas on PostgreSQL; safe to run on every deploy.
set -euo pipefail
export SQL_PLUGIN=postgres12 SQL_HOST="$POSTGRES_SEEDS" SQL_PORT="$DB_PORT" SQL_USER="$POSTGRES_USER" SQL_PASSWORD="$POSTGRES_PWD"
schemas=/etc/temporal/schema/postgresql/v12
for db in temporal temporal_visibility; do
  temporal-sql-tool --db "$db" create-database || true
  dir=temporal; [ "$db" = temporal_visibility ] && dir=visibility
  temporal-sql-tool --db "$db" setup-schema -v 0.0
  temporal-sql-tool --db "$db" update-schema -d "$schemas/$dir/versioned"
done
PGPASSWORD="$POSTGRES_PWD" psql -h "$POSTGRES_SEEDS" -U "$POSTGRES_USER" -d postgres -c "ALTER ROLE koers PASSWORD '$POSTGRES_PWD'"
