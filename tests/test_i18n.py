"""English, Spanish and Brazilian Portuguese: catalogs, content, choices."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from criteria.models import Criterion
from criteria.translation import TRANSLATED

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = {"es": ROOT / "locale/es/LC_MESSAGES/django.po",
            "pt_BR": ROOT / "locale/pt_BR/LC_MESSAGES/django.po"}


def catalog_problems(path):
    """msgfmt's verdict on a catalog: format errors, fuzzy or untranslated entries."""
    result = subprocess.run(  # noqa: S603 - msgfmt from gettext on our own files
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(path)],  # noqa: S607
        capture_output=True, text=True, check=False,
    )
    problems = []
    if result.returncode != 0:
        problems.append(result.stderr.strip())
    stats = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
    for kind in ("fuzzy", "untranslated"):
        if re.search(rf"\d+ {kind}", stats):
            problems.append(stats)
    return problems


@pytest.mark.parametrize("language", CATALOGS)
def test_catalog_is_complete_and_placeholders_intact(language):
    assert catalog_problems(CATALOGS[language]) == []


def test_the_catalog_check_catches_a_broken_placeholder(tmp_path):
    broken = tmp_path / "django.po"
    broken.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, python-format\nmsgid "Hello %(name)s"\nmsgstr "Hola %(nombre)s"\n\n'
        'msgid "Untranslated"\nmsgstr ""\n', encoding="utf-8")
    problems = catalog_problems(broken)
    assert any("nombre" in p or "format" in p for p in problems)
    assert any("untranslated" in p for p in problems)


@pytest.mark.parametrize("language", CATALOGS)
def test_every_interface_string_is_in_the_catalog(tmp_path, language):
    """Extract the strings from the code again: nothing may be missing or untranslated.

    makemessages writes to the `locale` folder of the tree it walks, so it walks a copy: the
    source folders linked in, the catalogs copied (the repository's are never touched)."""
    tree = tmp_path / "tree"
    tree.mkdir()
    for name in ("manage.py", "ovp_assess", "cities", "criteria", "reports", "templates",
                 "static"):
        (tree / name).symlink_to(ROOT / name)
    shutil.copytree(ROOT / "locale", tree / "locale")
    before = CATALOGS[language].read_bytes()
    env = {**os.environ, "DJANGO_DEBUG": "1", "DJANGO_LOCALE_DIR": str(tree / "locale")}
    subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "makemessages", "-l", language, "--no-obsolete",
         "--symlinks", "--ignore=static/vendor"],
        cwd=tree, env=env, check=True, capture_output=True,
    )
    assert CATALOGS[language].read_bytes() == before
    assert catalog_problems(tree / f"locale/{language}/LC_MESSAGES/django.po") == []


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["es", "pt_br"])
def test_framework_content_is_translated(suffix):
    missing = []
    for model, fields in TRANSLATED.items():
        for obj in model.objects.all():
            for field in fields:
                if getattr(obj, f"{field}_en") and not getattr(obj, f"{field}_{suffix}"):
                    missing.append(f"{model.__name__} {obj.pk} {field}")
    assert missing == []


@pytest.mark.django_db
def test_home_answers_in_spanish_to_the_browser(client):
    page = client.get(reverse("home"), headers={"accept-language": "es"})
    body = page.content.decode()
    assert '<html lang="es">' in body
    with translation.override("es"):
        spanish = translation.gettext("The nine criteria")
    assert spanish != "The nine criteria" and spanish in body


@pytest.mark.django_db
def test_unknown_language_falls_back_to_english(client):
    page = client.get(reverse("home"), headers={"accept-language": "xx-YY"})
    assert page.status_code == 200 and '<html lang="en">' in page.content.decode()
    switched = client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert switched.status_code == 302
    assert '<html lang="en">' in client.get("/").content.decode()


@pytest.mark.django_db
def test_a_signed_in_users_choice_is_remembered(client, editor_a):
    client.force_login(editor_a)
    client.post(reverse("set_language"), {"language": "pt-br", "next": "/"})
    editor_a.refresh_from_db()
    assert editor_a.preferred_language == "pt-br"
    client.cookies.clear()
    client.force_login(editor_a)
    assert '<html lang="pt-br">' in client.get("/").content.decode()


@pytest.mark.django_db
def test_missing_translation_falls_back_to_english_with_a_marker(client):
    criterion = Criterion.objects.get(number=3)
    Criterion.objects.filter(pk=criterion.pk).update(definition_es="")
    page = client.get(criterion.get_absolute_url(), headers={"accept-language": "es"})
    body = page.content.decode()
    with translation.override("es"):
        marker = translation.gettext("not yet translated")
    assert f'<span lang="en">{criterion.definition_en[:40]}' in body.replace("&#x27;", "'")
    assert marker in body


@pytest.mark.django_db
def test_what_users_write_stays_as_written_and_is_tagged(client, editor_a, palmira_draft):
    client.force_login(editor_a)
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    response = palmira_draft.responses.get(criterion__number=1)
    client.post(reverse("criteria:response-edit", args=[palmira_draft.pk, 1]), {
        "version": response.version, "level": "2", "current_strengths": "Un mandato público.",
        "opportunities": "Metas medibles.", "language": "es", "not_applicable_reason": ""})
    response.refresh_from_db()
    assert response.current_strengths == "Un mandato público." and response.language == "es"
    page = client.get(palmira_draft.get_absolute_url()).content.decode()
    assert '<td lang="es">Un mandato público.</td>' in page


@pytest.mark.django_db
def test_a_spanish_brief_names_its_tradeoffs_and_labels_in_spanish(client):
    from criteria.models import Assessment

    edmonton = Assessment.objects.get(city__slug="edmonton", round__code="2023")
    page = client.get(reverse("reports:brief", args=[edmonton.pk]),
                      headers={"accept-language": "es"}).content.decode()
    with translation.override("es"):
        status = translation.gettext("Published")
        median = translation.gettext("Network median")
    assert status in page and median in page
    assert "Sostener la participación en el tiempo" in page  # a tradeoff title, translated
    assert "Sustaining participation over time" not in page
