"""Back up the database and every stored file it refers to into one folder (docs/operations.md).

The database is read from one snapshot (PostgreSQL: an exported snapshot shared with pg_dump;
SQLite: a copy made with its backup API), and the files copied are exactly those the rows of
that snapshot refer to, so a backup taken while people work is consistent. If one of those
files is deleted before it is copied (someone removed evidence meanwhile), the attempt is
thrown away and a new snapshot taken. The backup is written to a hidden folder beside the
target and renamed into place only when complete, readable by its owner only.
"""

import json
import os
import shutil
import sqlite3
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
    referenced_files,
    row_counts,
    sha256_of,
)

ATTEMPTS = 5


class FileVanished(Exception):
    pass


class Command(BaseCommand):
    help = "Write the database and the stored files it refers to into a new backup folder."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="Backup folder to create (must not exist or be empty).")

    def handle(self, *, folder, **options):
        target = Path(folder)
        if target.exists() and any(target.iterdir()):
            raise CommandError(f"{target} is not empty; choose a new folder.")
        if connection.vendor not in {"postgresql", "sqlite"}:
            raise CommandError(f"No backup method for {connection.vendor}.")
        target.parent.mkdir(parents=True, exist_ok=True)
        old_umask = os.umask(0o077)  # every folder and file of the backup: owner only
        try:
            for attempt in range(1, ATTEMPTS + 1):
                work = target.parent / f".{target.name}.partial-{os.getpid()}-{attempt}"
                shutil.rmtree(work, ignore_errors=True)
                work.mkdir()
                try:
                    manifest = self._write(work)
                except FileVanished as vanished:
                    shutil.rmtree(work, ignore_errors=True)
                    self.stderr.write(f"{vanished} was deleted while the backup ran; "
                                      f"taking a new snapshot (attempt {attempt + 1}).")
                    continue
                except BaseException:
                    shutil.rmtree(work, ignore_errors=True)
                    raise
                if target.exists():
                    target.rmdir()
                work.rename(target)
                break
            else:
                raise CommandError(
                    f"Files kept being deleted while the backup ran ({ATTEMPTS} attempts); "
                    "nothing was written. Try again when fewer people are editing."
                )
        finally:
            os.umask(old_umask)
        self.stdout.write(
            f"Backed up {sum(manifest['rows'].values())} rows in {len(manifest['rows'])} tables "
            f"and {len(manifest['files'])} files to {target}."
        )
        if manifest["missing"]:
            raise CommandError(
                "The backup is written, but the database refers to files that are not in the "
                "storage (listed as \"missing\" in the manifest): " + ", ".join(manifest["missing"])
            )

    def _write(self, work):
        manifest = {"engine": connection.vendor, "created": timezone.now().isoformat()}
        if connection.vendor == "postgresql":
            manifest["rows"], names = self._dump_postgresql(work / PG_DUMP)
        else:
            manifest["rows"], names = self._copy_sqlite(work / SQLITE_COPY)
        files, missing = {}, []
        for name in names:
            destination = work / FILES / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                with default_storage.open(name, "rb") as source, \
                        open(destination, "wb") as out:  # noqa: PTH123
                    shutil.copyfileobj(source, out)
            except FileNotFoundError:
                destination.unlink(missing_ok=True)
                if self._still_referenced(name):
                    missing.append(name)  # gone before this backup started: say so
                    continue
                raise FileVanished(name) from None
            with open(destination, "rb") as copied:  # noqa: PTH123
                files[name] = sha256_of(copied)
        manifest["files"], manifest["missing"] = files, missing
        (work / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        return manifest

    @staticmethod
    def _still_referenced(name):
        with connection.cursor() as cursor:
            return name in referenced_files(cursor)

    def _dump_postgresql(self, path):
        # Count rows, list files and dump from one exported snapshot: all see the same data.
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
                return row_counts(cursor), referenced_files(cursor)

    def _copy_sqlite(self, path):
        connection.ensure_connection()
        with sqlite3.connect(path) as copy:
            connection.connection.backup(copy)
        copy.close()
        with connection.cursor() as cursor:
            live = row_counts(cursor)
        # Count and list files in the copy itself: that is what a restore will hold.
        copy = sqlite3.connect(path)
        try:
            cursor = copy.cursor()
            rows = {}
            for table in live:
                cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
                rows[table] = cursor.fetchone()[0]
            names = referenced_files(cursor, quote=lambda n: f'"{n}"')
        finally:
            copy.close()
        return rows, names
