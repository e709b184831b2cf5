"""The database's own integrity check: SQLite's pragmas, or amcheck and every constraint re-checked on PostgreSQL.

SQLite: `PRAGMA integrity_check` (pages, indexes, UNIQUE, NOT NULL and CHECK constraints) and
`PRAGMA foreign_key_check`. PostgreSQL: amcheck's `verify_heapam` on every table and `bt_index_check(index, true)`
(every heap tuple is in the index) on every B-tree index when the extension is available, and every primary key,
unique, foreign key, check and NOT NULL constraint of the public schema counted again by a query.
"""

from __future__ import annotations


def _sqlite(path: str) -> dict:
    """SQLite's own checks of one database file."""
    import sqlite3

    with sqlite3.connect(path, timeout=30) as conn:
        integrity = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        foreign = conn.execute("PRAGMA foreign_key_check").fetchall()
    problems = ([] if integrity == ["ok"] else integrity[:10]) + [f"foreign key: {row}" for row in foreign[:10]]
    return {"method": "PRAGMA integrity_check + PRAGMA foreign_key_check", "ok": not problems,
            "problems": problems, "integrity_check": integrity[:10], "foreign_key_violations": len(foreign)}


_CONSTRAINTS = """
SELECT con.contype, con.conname, con.conrelid::regclass::text, con.confrelid::regclass::text,
       pg_get_constraintdef(con.oid),
       array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i),
       array(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.i)
FROM pg_constraint con JOIN pg_namespace ns ON ns.oid = con.connamespace
WHERE ns.nspname = 'public' AND con.contype IN ('p', 'u', 'f', 'c')
"""
_NOT_NULL = """
SELECT c.oid::regclass::text, a.attname::text FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace ns ON ns.oid = c.relnamespace
WHERE ns.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull
"""


def _q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _violation_query(kind: str, table: str, target: str, definition: str, columns: list, target_columns: list) -> str:
    """A query counting the rows that break one constraint (0 on a sound database).

    Every name and expression comes from the database's own catalog (regclass text is quoted where needed)."""
    cols = [_q(c) for c in columns]
    if kind in ("p", "u"):
        present = " AND ".join(f"{c} IS NOT NULL" for c in cols)
        return (f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {present} "  # noqa: S608  # nosec B608 - catalog
                f"GROUP BY {', '.join(cols)} HAVING count(*) > 1) d")
    if kind == "f":
        present = " AND ".join(f"c.{c} IS NOT NULL" for c in cols)
        match = " AND ".join(f"p.{_q(t)} = c.{c}" for t, c in zip(target_columns, cols, strict=True))
        return (f"SELECT count(*) FROM {table} c WHERE {present} "  # noqa: S608  # nosec B608 - catalog names
                f"AND NOT EXISTS (SELECT 1 FROM {target} p WHERE {match})")
    expression = definition.removeprefix("CHECK ").removesuffix(" NOT VALID")
    return f"SELECT count(*) FROM {table} WHERE NOT {expression}"  # noqa: S608  # nosec B608 - from the catalog


def _postgresql(url: str) -> dict:
    """amcheck where available, and every constraint of the public schema counted again."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://", 1)
    problems, checked, amcheck = [], 0, None
    with psycopg.connect(dsn, autocommit=True, connect_timeout=10) as conn:
        try:
            conn.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
            amcheck = True
        except psycopg.Error as error:
            amcheck = f"not available: {str(error).strip()}"
        if amcheck is True:
            tables = [r[0] for r in conn.execute("SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON "
                                                 "n.oid = c.relnamespace WHERE n.nspname = 'public' AND "
                                                 "c.relkind = 'r'")]
            for table in tables:
                for row in conn.execute("SELECT blkno, offnum, msg FROM verify_heapam(%s::regclass)", (table,)):
                    problems.append(f"heap {table}: {row}")
            indexes = [r[0] for r in conn.execute(
                "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am "
                "ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND "
                "am.amname = 'btree' AND i.indisvalid")]
            for index in indexes:
                try:
                    conn.execute("SELECT bt_index_check(%s::regclass, true)", (index,))
                except psycopg.Error as error:
                    problems.append(f"index {index}: {str(error).strip()}")
            checked += len(tables) + len(indexes)
        for kind, name, table, target, definition, columns, target_columns in conn.execute(_CONSTRAINTS).fetchall():
            query = _violation_query(kind, table, target, definition, columns, target_columns)
            count = conn.execute(query).fetchone()[0]
            checked += 1
            if count:
                problems.append(f"constraint {name} on {table}: {count} row(s)")
        for table, column in conn.execute(_NOT_NULL).fetchall():
            query = f"SELECT count(*) FROM {table} WHERE {_q(column)} IS NULL"  # noqa: S608  # nosec B608 - catalog
            count = conn.execute(query).fetchone()[0]
            checked += 1
            if count:
                problems.append(f"NOT NULL {table}.{column}: {count} row(s)")
    method = ("amcheck verify_heapam + bt_index_check(heapallindexed) and " if amcheck is True else "") + \
        "every PK/unique/FK/check/NOT NULL constraint re-counted"
    return {"method": method, "ok": not problems, "problems": problems[:20], "amcheck": amcheck,
            "objects_checked": checked}


def check_database(url: str) -> dict:
    """The integrity verdict of a SQLAlchemy URL's database: ok, method, problems (empty when ok)."""
    if url.startswith("sqlite:///"):
        return _sqlite(url.removeprefix("sqlite:///"))
    return _postgresql(url)
