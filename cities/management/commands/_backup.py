"""Shared by `backup` and `restore`: what a backup holds and how to check it.

A backup is a folder:

    manifest.json      engine, time, rows per table, SHA-256 of every stored file
    database.pgdump    pg_dump --format=custom (PostgreSQL), or
    database.sqlite3   a consistent copy made with SQLite's backup API
    files/<name>       every stored file (local disk or S3) the database refers to, by its name
"""

import hashlib
import os

from django.apps import apps
from django.db import connection, models

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


def file_columns():
    """(table, column) of every FileField: the stored files the database refers to."""
    columns = []
    for model in apps.get_models():
        if not model._meta.managed or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                columns.append((model._meta.db_table, field.column))
    return sorted(columns)


def referenced_files(cursor, quote=connection.ops.quote_name):
    """The names of the stored files the rows seen through `cursor` refer to."""
    names = set()
    for table, column in file_columns():
        cursor.execute(
            f"SELECT {quote(column)} FROM {quote(table)} "  # noqa: S608 - our own names
            f"WHERE {quote(column)} IS NOT NULL AND {quote(column)} <> ''"
        )
        names.update(row[0] for row in cursor.fetchall())
    return sorted(names)


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
