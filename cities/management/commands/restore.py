"""Restore a backup folder (from `manage.py backup`) into a fresh, empty database and storage.

Refuses a database that already has tables, and a storage that already holds one of the
files; afterwards checks every table's row count and every file's SHA-256 against the
backup's manifest, and that every file a restored row refers to is there; fails loudly on
any difference.
"""

import json
import shutil
import subprocess
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

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


class Command(BaseCommand):
    help = "Restore a backup folder into a fresh database and file storage, then verify it."

    def add_arguments(self, parser):
        parser.add_argument("folder")

    def handle(self, *, folder, **options):
        source = Path(folder)
        try:
            manifest = json.loads((source / MANIFEST).read_text())
        except (OSError, ValueError) as exc:
            raise CommandError(f"{source} holds no readable {MANIFEST}: {exc}") from None
        if manifest["engine"] != connection.vendor:
            raise CommandError(
                f"The backup is of {manifest['engine']}; DATABASE_URL points to "
                f"{connection.vendor}."
            )
        if connection.introspection.table_names():
            raise CommandError(
                "The target database already has tables. Restore into a new, empty database."
            )
        for name in manifest["files"]:
            if default_storage.exists(name):
                raise CommandError(f"The file storage already holds {name}; use an empty one.")

        if connection.vendor == "postgresql":
            env, args = pg_env_and_args()
            result = subprocess.run(  # noqa: S603
                ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",  # noqa: S607
                 *args, str(source / PG_DUMP)],
                env=env, capture_output=True, text=True, check=False,
            )
            if result.returncode:
                raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
        else:
            connection.close()
            shutil.copyfile(source / SQLITE_COPY, connection.settings_dict["NAME"])

        for name in manifest["files"]:
            with open(source / FILES / name, "rb") as handle:  # noqa: PTH123
                saved = default_storage.save(name, File(handle, name=name))
            if saved != name:
                raise CommandError(f"{name} was stored as {saved}.")

        problems = self._verify(manifest)
        if problems:
            raise CommandError("Restore does not match the backup:\n" + "\n".join(problems))
        self.stdout.write(
            f"Restored {sum(manifest['rows'].values())} rows in {len(manifest['rows'])} tables "
            f"and {len(manifest['files'])} files; counts and checksums match the backup."
        )

    def _verify(self, manifest):
        problems = []
        connection.close()
        with connection.cursor() as cursor:
            rows = row_counts(cursor)
        for table, count in manifest["rows"].items():
            if rows.get(table) != count:
                problems.append(f"table {table}: {rows.get(table)} rows, backup has {count}")
        for name, digest in manifest["files"].items():
            with default_storage.open(name, "rb") as handle:
                if sha256_of(handle) != digest:
                    problems.append(f"file {name}: checksum differs")
        # Every file a restored row refers to is there and was in the backup.
        with connection.cursor() as cursor:
            for name in referenced_files(cursor):
                if name in manifest.get("missing", []):
                    problems.append(f"file {name}: was already missing when the backup ran")
                elif name not in manifest["files"] or not default_storage.exists(name):
                    problems.append(f"file {name}: a row refers to it, but it is not restored")
        return problems
