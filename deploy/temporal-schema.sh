#!/usr/bin/env bash
# Creates or migrates Temporal's schemas on PostgreSQL; safe to run on every deploy. Used by
# docker-compose.yml (admin-tools image) and scripts/temporal-cluster.sh (the tool built by the install
# step, TEMPORAL_SQL_TOOL). The schemas are the ones embedded in the tool (--schema-name).
set -euo pipefail
export SQL_PLUGIN=postgres12 SQL_HOST="$POSTGRES_SEEDS" SQL_PORT="$DB_PORT" SQL_USER="$POSTGRES_USER" SQL_PASSWORD="$POSTGRES_PWD"
sql_tool="${TEMPORAL_SQL_TOOL:-temporal-sql-tool}"
for db in temporal temporal_visibility; do
  "$sql_tool" --db "$db" create-database || true
  schema=temporal; [ "$db" = temporal_visibility ] && schema=visibility
  "$sql_tool" --db "$db" setup-schema -v 0.0
  "$sql_tool" --db "$db" update-schema --schema-name "postgresql/v12/$schema"
done
PGPASSWORD="$POSTGRES_PWD" psql -h "$POSTGRES_SEEDS" -p "$DB_PORT" -U "$POSTGRES_USER" -d postgres -c "ALTER ROLE koers PASSWORD '$POSTGRES_PWD'"
