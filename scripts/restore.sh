#!/usr/bin/env bash
# Restore FILE, made by scripts/backup.sh, into the new database that DATABASE_URL names.
#
#   DATABASE_URL=... scripts/restore.sh FILE
#
# PostgreSQL: the database must exist and be empty (createdb); pg_restore runs in one transaction and stops at the
# first error, so a failed restore leaves it empty. Objects are owned by the user in DATABASE_URL (--no-owner,
# --no-acl: the roles of the old server need not exist). SQLite: the file must not exist yet; stop the app and move
# the old file (with its -wal and -shm) away first. Then start the app on it (`flask db upgrade` first, as on every
# deploy: it brings an older backup up to the code's schema).
set -euo pipefail

backup=${1:?usage: DATABASE_URL=... scripts/restore.sh FILE}
url=${DATABASE_URL:?DATABASE_URL names the database to restore into}
[[ -f "$backup" ]] || { echo "restore.sh: no backup file at $backup" >&2; exit 2; }

case "$url" in
  postgresql://* | postgresql+psycopg://*)
    pg_restore --no-owner --no-acl --exit-on-error --single-transaction \
      --dbname="${url/#postgresql+psycopg:/postgresql:}" "$backup"
    ;;
  sqlite:///*)
    "${PYTHON:-python3}" - "$backup" "${url#sqlite:///}" <<'PY'
import os
import sqlite3
import sys

backup, target_path = sys.argv[1], sys.argv[2]
if any(os.path.exists(target_path + suffix) for suffix in ("", "-wal", "-shm")):
    sys.exit(f"restore.sh: {target_path} (or its -wal/-shm) exists; move it away first")
source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
    sys.exit(f"restore.sh: {backup} fails its integrity check")
target = sqlite3.connect(target_path)
with target:
    source.backup(target)
target.close()
source.close()
PY
    ;;
  *)
    echo "restore.sh: DATABASE_URL must be postgresql://, postgresql+psycopg:// or sqlite:///" >&2
    exit 2
    ;;
esac
echo "restored $backup into the database of DATABASE_URL"
