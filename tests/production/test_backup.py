"""Backup and restore round trip: dump, restore into a fresh database and a fresh file store,
then compare every model's rows and every stored file's checksum.

The restore runs as a separate `manage.py restore` process pointed at the new database, as
an operator would run it (docs/operations.md). Runs on SQLite and on PostgreSQL.
"""

import hashlib
import io
import json

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, connections
from django.db.utils import load_backend
from django.test import override_settings
from django.urls import reverse

from cities.models import User
from reports.exports import run_export, start_export

from .conftest import child_env, database_url, manage

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _checksums(root):
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }


def _rows(wrapper, model):
    table = wrapper.ops.quote_name(model._meta.db_table)
    order = wrapper.ops.quote_name(model._meta.pk.column)
    with wrapper.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY {order}")  # noqa: S608
        return cursor.fetchall()


@pytest.fixture
def restored_wrapper():
    """A connection to the restored database, outside the test's own connections."""
    opened = []

    def open_(settings_dict):
        configured = connections.configure_settings(
            {"default": dict(connection.settings_dict), "restored": settings_dict}
        )["restored"]
        wrapper = load_backend(configured["ENGINE"]).DatabaseWrapper(configured, "restored")
        opened.append(wrapper)
        return wrapper

    yield open_
    for wrapper in opened:
        wrapper.close()
        if wrapper.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{wrapper.settings_dict["NAME"]}"')


def test_backup_restored_into_a_fresh_database_has_every_row_and_file(
    client, settings, tmp_path, restored_wrapper
):
    with override_settings(DEBUG=True):
        call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    # Stored files of both kinds: an evidence upload and a batch export ZIP.
    editor = User.objects.get(username="demo-editor")
    client.force_login(editor)
    from criteria.models import Assessment

    draft = Assessment.objects.get(office__slug="palmira-security-coexistence", round="2026")
    added = client.post(
        reverse("criteria:evidence-add", args=[draft.pk, 1]),
        {"kind": "document", "title": "Budget law", "source": "City council",
         "strength": "documented", "file": SimpleUploadedFile("law.pdf", PDF)},
    )
    assert added.status_code == 302
    job = start_export(user=User.objects.get(username="demo-secretariat"), round="2023")
    run_export(job.pk)
    original_files = _checksums(settings.MEDIA_ROOT)
    assert len(original_files) == 2

    backup = tmp_path / "backup"
    call_command("backup", str(backup), stdout=io.StringIO())
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["files"] == original_files

    fresh_media = tmp_path / "restored-media"
    if connection.vendor == "postgresql":
        fresh = dict(connection.settings_dict, NAME=connection.settings_dict["NAME"] + "_restore")
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh["NAME"]}"')
            cursor.execute(f'CREATE DATABASE "{fresh["NAME"]}"')
        url = database_url(fresh)
    else:
        fresh = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "restored.db")}
        url = f"sqlite:///{fresh['NAME']}"
    env = child_env(DATABASE_URL=url, DJANGO_MEDIA_ROOT=str(fresh_media))
    result = manage("restore", str(backup), env=env, check=False)
    assert result.returncode == 0, result.stderr
    assert "checksums match" in result.stdout

    # Every model's rows, field by field, and every file, byte for byte.
    restored = restored_wrapper(fresh)
    compared = 0
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        assert _rows(restored, model) == _rows(connection, model), model._meta.label
        compared += 1
    assert compared > 30
    assert _checksums(fresh_media) == original_files

    # A restore never lands on a database that already has data.
    again = manage("restore", str(backup), env=env, check=False)
    assert again.returncode != 0 and "already has tables" in again.stderr
