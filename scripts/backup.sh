#!/usr/bin/env bash
# Back up the database that DATABASE_URL names into FILE, while the app keeps running.
#
#   DATABASE_URL=... scripts/backup.sh FILE
#
# PostgreSQL: pg_dump's custom format (-Fc), one consistent snapshot; the archive is read back before we report
# success. SQLite: SQLite's online backup API (through Python's sqlite3 module, so the sqlite3 CLI is not needed),
# which copies a consistent snapshot including what is still in the -wal file; copying the .db file of a running app
# is not a backup. Restore with scripts/restore.sh (docs/deploy.md).
set -euo pipefail

out=${1:?usage: DATABASE_URL=... scripts/backup.sh FILE}
root=$(cd "$(dirname "$0")/.." && pwd)
url=${DATABASE_URL:-sqlite:///$root/instance/stac_youth.db}

case "$url" in
  postgresql://* | postgresql+psycopg://*)
    pg_dump --format=custom --file="$out" "${url/#postgresql+psycopg:/postgresql:}"
    pg_restore --list "$out" >/dev/null
    ;;
  sqlite:///*)
    "${PYTHON:-python3}" - "${url#sqlite:///}" "$out" <<'PY'
import os
import sqlite3
import sys

source_path, out = sys.argv[1], sys.argv[2]
if not os.path.isfile(source_path):
    sys.exit(f"backup.sh: no SQLite database at {source_path}")
source, copy = sqlite3.connect(source_path), sqlite3.connect(out)
with copy:
    source.backup(copy)
copy.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
check = copy.execute("PRAGMA integrity_check").fetchone()[0]
copy.close()
source.close()
if check != "ok":
    sys.exit(f"backup.sh: the copy fails its integrity check: {check}")
PY
    ;;
  *)
    echo "backup.sh: DATABASE_URL must be postgresql://, postgresql+psycopg:// or sqlite:///" >&2
    exit 2
    ;;
esac
echo "backup written to $out"
