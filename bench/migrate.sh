#!/usr/bin/env bash
# Issue 4's benchmark in one command: the Migrate stage against its peers, side by side, on this
# machine, each comparison in rounds run back to back; results in bench/results/*.md (committed).
#   1. pgbench_accounts, 10M rows (scale 100), PostgreSQL -> PostgreSQL, data + primary key:
#      studio vs pgcopydb clone vs pg_dump -Fc | pg_restore vs a raw binary COPY pipe + PK
#   2. a 2M-row mixed-type table (text, numeric, timestamptz, jsonb, bytea) PostgreSQL -> PostgreSQL
#   3. the same 10M rows MariaDB -> PostgreSQL: studio vs pgloader vs a raw mariadb | COPY pipe
# Peers install from apt when missing (postgresql, pgcopydb, pgloader, mariadb-server). About
# 15 minutes on 2 cores. Run it on an otherwise idle machine: the ratios are only as good as that.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/pg-to-pg.sh" 100
"$here/pg-to-pg.sh" --mixed 2000000
"$here/mariadb-to-pg.sh" 100
echo "results: $here/results/pg-to-pg-s100-default.md, mixed-pg-to-pg-2000000-default.md, mariadb-to-pg-s100-default.md"
