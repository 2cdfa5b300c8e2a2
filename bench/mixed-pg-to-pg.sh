#!/usr/bin/env bash
# The 2M-row mixed-type table (text, numeric, timestamptz, jsonb, bytea) PostgreSQL -> PostgreSQL:
#   bench/mixed-pg-to-pg.sh [ROWS]     (default 2000000)
exec "$(dirname "$0")/pg-to-pg.sh" --mixed "${1:-2000000}"
