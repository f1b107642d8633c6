"""Shared by `backup` and `restore`: what a backup holds and how to check it.

A backup is a folder:

    manifest.json      engine, time, rows per table, SHA-256 of every stored file
    database.pgdump    pg_dump --format=custom (PostgreSQL), or
    database.sqlite3   a consistent copy made with SQLite's backup API
    files/<name>       every file in the default storage (local disk or S3), by its name
"""

import hashlib
import os

from django.apps import apps
from django.core.files.storage import default_storage
from django.db import connection

MANIFEST = "manifest.json"
PG_DUMP = "database.pgdump"
SQLITE_COPY = "database.sqlite3"
FILES = "files"


def tables():
    """Every table a model (auto-created many-to-many ones included) stores rows in."""
    seen = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            seen.add(model._meta.db_table)
    return sorted(seen)


def row_counts(cursor):
    counts = {}
    existing = set(connection.introspection.table_names(cursor))
    for table in tables():
        if table in existing:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def storage_names(storage=default_storage, folder=""):
    folders, names = storage.listdir(folder)
    for name in sorted(names):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from storage_names(storage, f"{folder}/{sub}" if folder else sub)


def sha256_of(handle):
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def pg_env_and_args():
    s = connection.settings_dict
    env = {**os.environ}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    args = ["--dbname", s["NAME"]]
    if s.get("HOST"):
        args += ["--host", s["HOST"]]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", s["USER"]]
    return env, args
