#!/usr/bin/env bash
# The PostgreSQL half of the suite needs the local server; start the cluster if it is down.
set -euo pipefail
host=127.0.0.1
if pg_isready -q -h "$host" -p 5432 2>/dev/null; then exit 0; fi
if [ "$(id -u)" -eq 0 ] && command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  echo "Starting the local PostgreSQL cluster"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h "$host" -p 5432 && exit 0; sleep 1; done
fi
echo "PostgreSQL is not answering on $host:5432. Start it, or set PG_URL=postgres://user@host:port/db." >&2
exit 1
