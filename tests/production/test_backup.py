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


def _fresh_target(tmp_path):
    """A new, empty database and file folder to restore into: (settings, media, child env)."""
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
    return fresh, fresh_media, child_env(DATABASE_URL=url, DJANGO_MEDIA_ROOT=str(fresh_media))


def _restore(tmp_path, backup):
    fresh, fresh_media, env = _fresh_target(tmp_path)
    return fresh, fresh_media, manage("restore", str(backup), env=env, check=False)


def test_backup_restored_into_a_fresh_database_has_every_row_and_file(
    client, settings, tmp_path, restored_wrapper
):
    with override_settings(DEBUG=True):
        call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    # Stored files of every kind: an evidence upload, a batch export ZIP and the published
    # briefs the export rendered and stored (reports/brief_cache.py).
    editor = User.objects.get(username="demo-editor")
    client.force_login(editor)
    from criteria.models import Assessment

    draft = Assessment.objects.get(office__slug="palmira-security-coexistence", round__code="2026")
    added = client.post(
        reverse("criteria:evidence-add", args=[draft.pk, 1]),
        {"kind": "document", "title": "Budget law", "source": "City council",
         "strength": "documented", "file": SimpleUploadedFile("law.pdf", PDF)},
    )
    assert added.status_code == 302
    job = start_export(user=User.objects.get(username="demo-secretariat"), round="2023")
    run_export(job.pk)
    original_files = _checksums(settings.MEDIA_ROOT)
    from reports.models import StoredBrief

    stored_briefs = StoredBrief.objects.count()
    assert stored_briefs == 4  # Bristol, Cali, Edmonton and Rosario in the 2023 round
    expected = 2 + stored_briefs
    assert len(original_files) == expected

    backup = tmp_path / "backup"
    call_command("backup", str(backup), stdout=io.StringIO())
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["files"] == original_files

    fresh, fresh_media, env = _fresh_target(tmp_path)
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


def _evidence_files(client, draft, n):
    for i in range(n):
        added = client.post(
            reverse("criteria:evidence-add", args=[draft.pk, 1 + i % 9]),
            {"kind": "document", "title": f"Minutes {i}", "source": "City council",
             "strength": "documented", "file": SimpleUploadedFile(f"minutes-{i}.pdf", PDF)},
        )
        assert added.status_code == 302


def test_a_file_deleted_while_the_backup_runs_starts_a_new_snapshot(
    client, tmp_path, restored_wrapper, monkeypatch
):
    """Someone deletes evidence between the snapshot and the copy of its file."""
    from criteria import workflow
    from criteria.models import Assessment, Evidence

    with override_settings(DEBUG=True):
        call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    editor = User.objects.get(username="demo-editor")
    client.force_login(editor)
    draft = Assessment.objects.get(office__slug="palmira-security-coexistence", round__code="2026")
    _evidence_files(client, draft, 3)
    doomed = Evidence.objects.get(title="Minutes 1")
    doomed_name = doomed.file.name

    from django.core.files.storage import default_storage

    real_open = default_storage.open
    deleted = []

    def open_and_delete_once(name, mode="rb"):
        if name == doomed_name and not deleted:
            workflow.delete_evidence(evidence=Evidence.objects.get(pk=doomed.pk), by=editor)
            deleted.append(name)  # the row is gone and, on commit, the file too
        return real_open(name, mode)

    monkeypatch.setattr(default_storage, "open", open_and_delete_once)
    backup = tmp_path / "backup"
    err = io.StringIO()
    call_command("backup", str(backup), stdout=io.StringIO(), stderr=err)
    monkeypatch.undo()

    assert deleted == [doomed_name] and "taking a new snapshot" in err.getvalue()
    manifest = json.loads((backup / "manifest.json").read_text())
    assert doomed_name not in manifest["files"] and manifest["missing"] == []
    assert len(manifest["files"]) == 2
    # No half-written attempt is left beside the backup.
    assert not [p for p in tmp_path.iterdir() if "partial" in p.name]
    # Readable by the owner only.
    assert {oct(p.stat().st_mode & 0o777) for p in backup.rglob("*") if p.is_file()} == {"0o600"}
    assert oct(backup.stat().st_mode & 0o777) == "0o700"

    fresh, fresh_media, result = _restore(tmp_path, backup)
    assert result.returncode == 0, result.stderr
    restored_wrapper(fresh)
    assert len([p for p in fresh_media.rglob("*") if p.is_file()]) == 2


def test_backup_under_concurrent_deletes_restores_every_file(client, tmp_path, restored_wrapper):
    """Editors delete evidence in another thread for the whole run; the backup stays whole."""
    import threading

    from criteria import workflow
    from criteria.models import Assessment, Evidence

    with override_settings(DEBUG=True):
        call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    editor = User.objects.get(username="demo-editor")
    client.force_login(editor)
    draft = Assessment.objects.get(office__slug="palmira-security-coexistence", round__code="2026")
    _evidence_files(client, draft, 30)
    stop = threading.Event()

    def delete_some():
        try:
            for evidence in list(Evidence.objects.filter(title__startswith="Minutes")[:20]):
                if stop.is_set():
                    break
                workflow.delete_evidence(evidence=evidence, by=editor)
        finally:
            connection.close()

    deleter = threading.Thread(target=delete_some)
    deleter.start()
    backup = tmp_path / "backup"
    try:
        call_command("backup", str(backup), stdout=io.StringIO(), stderr=io.StringIO())
    finally:
        stop.set()
        deleter.join(timeout=60)
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["missing"] == []
    fresh, fresh_media, result = _restore(tmp_path, backup)
    assert result.returncode == 0, result.stderr
    restored = restored_wrapper(fresh)
    with restored.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM criteria_evidence WHERE file <> ''")
        with_files = cursor.fetchone()[0]
    assert with_files == len(manifest["files"]) == len(
        [p for p in fresh_media.rglob("*") if p.is_file()])
