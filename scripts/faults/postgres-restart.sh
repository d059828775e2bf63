#!/usr/bin/env bash
# Fault test (issue 7): PostgreSQL restarted under a load of submissions.
# It runs on a PostgreSQL cluster of its own, created here and dropped at
# the end, because restarting the shared cluster would break whatever
# else uses it (other test runs on the same machine). The test itself is
# TestPostgresRestartUnderLoad in cmd/minsheng.
set -euo pipefail
cd "$(dirname "$0")/../.."

ver="${PG_VERSION:-15}"
name=minsheng_faults
port="${MINSHENG_FAULT_PG_PORT:-5439}"
if ! command -v pg_createcluster >/dev/null 2>&1; then
  echo "postgres-restart: pg_createcluster not found (Debian postgresql-common); skipped"
  exit 0
fi
pg_dropcluster --stop "$ver" "$name" >/dev/null 2>&1 || true
pg_createcluster "$ver" "$name" --port "$port" -- --auth=trust >/dev/null
trap 'pg_dropcluster --stop "$ver" "$name" >/dev/null 2>&1 || true' EXIT
pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start

export MINSHENG_FAULT_PG="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
export MINSHENG_FAULT_PG_RESTART="pg_ctlcluster --skip-systemctl-redirect $ver $name restart"
go test ./cmd/minsheng -run '^TestPostgresRestartUnderLoad$' -count=1 -v
