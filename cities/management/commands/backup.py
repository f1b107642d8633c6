"""Back up the database and every stored file into one folder (see docs/operations.md).

On PostgreSQL the dump and the row counts in the manifest come from one snapshot, so a backup
taken while people work is consistent. Files are copied after the database: a file uploaded
meanwhile is extra, never missing one the database names (stored files are never changed,
and deleted only after the row is gone).
"""

import json
import shutil
import subprocess
from pathlib import Path

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from ._backup import (
    FILES,
    MANIFEST,
    PG_DUMP,
    SQLITE_COPY,
    pg_env_and_args,
    row_counts,
    sha256_of,
    storage_names,
)


class Command(BaseCommand):
    help = "Write the database and all stored files to a new backup folder."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="Backup folder to create (must not exist or be empty).")

    def handle(self, *, folder, **options):
        target = Path(folder)
        if target.exists() and any(target.iterdir()):
            raise CommandError(f"{target} is not empty; choose a new folder.")
        target.mkdir(parents=True, exist_ok=True)
        manifest = {"engine": connection.vendor, "created": timezone.now().isoformat()}
        if connection.vendor == "postgresql":
            manifest["rows"] = self._dump_postgresql(target / PG_DUMP)
        elif connection.vendor == "sqlite":
            manifest["rows"] = self._copy_sqlite(target / SQLITE_COPY)
        else:
            raise CommandError(f"No backup method for {connection.vendor}.")

        files = {}
        for name in storage_names():
            destination = target / FILES / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            with default_storage.open(name, "rb") as source, open(destination, "wb") as out:  # noqa: PTH123
                shutil.copyfileobj(source, out)
            with open(destination, "rb") as copied:  # noqa: PTH123
                files[name] = sha256_of(copied)
        manifest["files"] = files
        (target / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        self.stdout.write(
            f"Backed up {sum(manifest['rows'].values())} rows in {len(manifest['rows'])} tables "
            f"and {len(files)} files to {target}."
        )

    def _dump_postgresql(self, path):
        # Count rows and dump from one exported snapshot: both see the same data.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                env, args = pg_env_and_args()
                result = subprocess.run(  # noqa: S603
                    ["pg_dump", "--format=custom", "--no-owner", "--no-privileges",  # noqa: S607
                     f"--snapshot={snapshot}", "--file", str(path), *args],
                    env=env, capture_output=True, text=True, check=False,
                )
                if result.returncode:
                    raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
                return row_counts(cursor)

    def _copy_sqlite(self, path):
        import sqlite3

        connection.ensure_connection()
        with sqlite3.connect(path) as copy:
            connection.connection.backup(copy)
        with connection.cursor() as cursor:
            live = row_counts(cursor)
        # Count in the copy itself: that is what a restore will hold.
        with sqlite3.connect(path) as copy:
            cursor = copy.cursor()
            rows = {}
            for table in live:
                cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
                rows[table] = cursor.fetchone()[0]
        copy.close()
        return rows
