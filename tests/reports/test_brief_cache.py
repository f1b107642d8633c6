"""Published briefs rendered once and served from storage; drafts always fresh; any change a
new key, never a stale brief; batch exports reuse the stored files."""

import io
import threading
import zipfile

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from cities.models import Network, NetworkRole
from criteria.models import Action, Assessment, GoodPractice
from reports import brief_cache, renderers
from reports.exports import run_export, start_export
from reports.models import StoredBrief

pytestmark = pytest.mark.django_db


@pytest.fixture
def pdf_renders(monkeypatch):
    """Counts the PDFs actually laid out by WeasyPrint."""
    calls = []
    real = renderers.render_brief_pdf

    def counting(brief, **kwargs):
        calls.append(brief.assessment_id)
        return real(brief, **kwargs)

    monkeypatch.setattr(renderers, "render_brief_pdf", counting)
    return calls


@pytest.fixture
def page_renders(monkeypatch):
    calls = []
    real = brief_cache.render_page_fragment

    def counting(brief, **kwargs):
        calls.append(brief.assessment_id)
        return real(brief, **kwargs)

    monkeypatch.setattr(brief_cache, "render_page_fragment", counting)
    return calls


def _article(html):
    """The brief itself, without the page around it (its CSRF token changes every time)."""
    return html[html.index('<article class="brief'):html.rindex("</article>")]


def _key(assessment, user=None, **kwargs):
    fetched = Assessment.objects.get(pk=assessment.pk)
    return brief_cache.brief_key(fetched, reader=user or AnonymousUser(), kind="pdf", lang="en",
                                 **kwargs)


def test_published_pdf_is_rendered_once_and_then_served_from_storage(client, part4, pdf_renders):
    url = reverse("reports:brief-pdf", args=[part4["cali"].pk])
    first = client.get(url)
    second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert second["Content-Type"] == "application/pdf"
    assert second.content == first.content and second.content.startswith(b"%PDF")
    assert pdf_renders == [part4["cali"].pk]
    stored = StoredBrief.objects.get()
    assert (stored.kind, stored.language, stored.paper) == ("pdf", "en", "a4")
    assert default_storage.exists(stored.file.name)
    assert stored.file.name.startswith(f"briefs/{part4['cali'].pk}/")


def test_language_and_paper_are_separate_stored_briefs(client, part4, pdf_renders):
    url = reverse("reports:brief-pdf", args=[part4["cali"].pk])
    for params in ({}, {"paper": "letter"}, {"lang": "es"}, {"lang": "es"}, {"paper": "letter"}):
        assert client.get(url, params).status_code == 200
    assert len(pdf_renders) == 3
    assert sorted(StoredBrief.objects.values_list("language", "paper")) == [
        ("en", "a4"), ("en", "letter"), ("es", "a4")]


def test_repeat_brief_page_reads_three_queries_and_no_render(
    client, part4, page_renders, django_assert_num_queries
):
    url = reverse("reports:brief", args=[part4["edmonton"].pk])
    first = client.get(url).content.decode()
    # 1 the assessment (+office, city, round), through the access layer; 2 its key
    # (generation, whether the city has a plan); 3 the stored brief. Anonymous: no session,
    # and no query for the reader's view (a signed-in reader: their session, user and roles).
    with django_assert_num_queries(3):
        second = client.get(url).content.decode()
    assert page_renders == [part4["edmonton"].pk]
    assert _article(second) == _article(first)
    assert 'id="chart-levels" type="application/json"' in second  # the charts' data is kept


def test_repeat_brief_page_for_a_signed_in_reader_reads_six_queries(
    client, researcher, part4, page_renders, django_assert_num_queries
):
    """Their session, their user, their roles (read once for the access check, the key and
    the navigation: `roles_of`), then the same three as a visitor's."""
    client.force_login(researcher)
    url = reverse("reports:brief", args=[part4["cali"].pk])
    assert client.get(url).status_code == 200
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200
    assert page_renders == [part4["cali"].pk]


def test_drafts_are_never_stored(as_persona, palmira_draft, pdf_renders, page_renders):
    client = as_persona("editor_a")
    for _ in range(2):
        assert client.get(reverse("reports:brief", args=[palmira_draft.pk])).status_code == 200
        assert client.get(reverse("reports:brief-pdf",
                                  args=[palmira_draft.pk])).status_code == 200
    assert len(pdf_renders) == len(page_renders) == 2
    assert not StoredBrief.objects.exists()
    assert _key(palmira_draft) is None


def test_a_changed_office_name_is_a_new_key_and_shown(client, part4):
    assessment = next(a for a in part4.values() if a.office_id)
    url = reverse("reports:brief", args=[assessment.pk])
    before = _key(assessment)
    client.get(url)
    office = assessment.office
    office.name = "Renamed Office of Peace"
    office.save()
    assert _key(assessment) != before
    assert "Renamed Office of Peace" in _article(client.get(url).content.decode())
    assert StoredBrief.objects.count() == 2


@pytest.mark.parametrize("change", ["practice", "action", "publish_peer", "template", "catalog"])
def test_any_change_the_brief_may_show_moves_the_key(part4, palmira_draft, editor_a, change,
                                                     monkeypatch):
    cali = part4["cali"]
    before = _key(cali)
    assert _key(cali) == before  # stable while nothing changes
    if change == "practice":
        criterion = cali.responses.first().criterion
        GoodPractice.objects.create(criterion=criterion, city=part4["rosario"].city,
                                    title="A new practice", summary="Shared budgets.")
    elif change == "action":
        Action.objects.create(assessment=cali, criterion=cali.responses.first().criterion,
                              title="Write the budget law", created_by=editor_a)
    elif change == "publish_peer":
        palmira_draft.status = Assessment.Status.PUBLISHED
        palmira_draft.published_at = timezone.now()
        palmira_draft.save()
    elif change == "template":
        monkeypatch.setattr(brief_cache, "template_version", lambda: "another release")
    else:
        monkeypatch.setattr(brief_cache, "catalog_version", lambda: "updated translations")
    assert _key(cali) != before


def test_readers_who_may_see_different_peers_get_different_briefs(
    part4, researcher, editor_a, viewer_a, secretariat
):
    cali = part4["cali"]
    keys = {name: _key(cali, user) for name, user in [
        ("anonymous", None), ("researcher", researcher), ("editor", editor_a),
        ("secretariat", secretariat)]}
    assert len(set(keys.values())) == 4
    # The same office: the same peers, the same stored brief.
    assert _key(cali, viewer_a) == keys["editor"]
    # A new role is a new view.
    NetworkRole.objects.create(user=editor_a, network=Network.objects.first(),
                               role=NetworkRole.Role.RESEARCHER)
    assert _key(cali, editor_a) != keys["editor"]


def test_stored_brief_is_served_only_through_the_access_layer(as_persona, part4):
    cali = part4["cali"]
    url = reverse("reports:brief-pdf", args=[cali.pk])
    assert as_persona("researcher").get(url).status_code == 200
    assert StoredBrief.objects.filter(assessment=cali).exists()
    Assessment.objects.filter(pk=cali.pk).update(is_public=False)
    client = as_persona("anonymous")
    client.logout()
    assert client.get(url).status_code == 404


def test_losing_a_race_keeps_one_row_and_one_file(part4):
    cali = Assessment.objects.get(pk=part4["cali"].pk)
    for content in (b"%PDF first", b"%PDF second"):
        brief_cache._store(key="k" * 64, assessment=cali, kind="pdf", lang="en", paper="a4",
                           filename="brief.pdf", title="Cali", content=content)
    stored = StoredBrief.objects.get()
    assert stored.file.read() == b"%PDF first"
    _dirs, files = default_storage.listdir(f"briefs/{cali.pk}")
    assert files == [stored.file.name.rsplit("/", 1)[1]]


def test_a_missing_file_is_rendered_again(client, part4, pdf_renders):
    url = reverse("reports:brief-pdf", args=[part4["cali"].pk])
    client.get(url)
    default_storage.delete(StoredBrief.objects.get().file.name)
    assert client.get(url).content.startswith(b"%PDF")
    assert len(pdf_renders) == 2
    assert default_storage.exists(StoredBrief.objects.get().file.name)


def test_a_repeat_page_is_read_from_memory_while_it_is_stored(client, part4, page_renders):
    """After its first read from storage a page's bytes are kept in the process's memory; the
    stored row is still asked for, so a pruned brief is rendered and stored again."""
    cali = part4["cali"]
    url = reverse("reports:brief", args=[cali.pk])
    first = client.get(url).content.decode()  # rendered and stored
    client.get(url)  # read from storage and kept
    default_storage.delete(StoredBrief.objects.get().file.name)
    assert _article(client.get(url).content.decode()) == _article(first)
    assert page_renders == [cali.pk]
    StoredBrief.objects.all().delete()
    assert _article(client.get(url).content.decode()) == _article(first)
    assert page_renders == [cali.pk, cali.pk]
    assert StoredBrief.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_requests_store_one_complete_brief(page_renders):
    # A transactional test: earlier ones may have emptied the tables, so it seeds its own.
    with override_settings(DEBUG=True):
        call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    cali = Assessment.objects.get(round__code="2023", city__slug="cali")
    pages, errors = [], []
    barrier = threading.Barrier(3)

    def read():
        try:
            barrier.wait()
            assessment = Assessment.objects.select_related("office", "city", "round").get(
                pk=cali.pk)
            pages.append(brief_cache.office_brief_page(assessment, reader=AnonymousUser(),
                                                       lang="en").html)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=read) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    stored = StoredBrief.objects.get()
    with stored.file.open("rb") as handle:
        assert handle.read().decode() in pages
    _dirs, files = default_storage.listdir(f"briefs/{cali.pk}")
    assert len(files) == 1


def test_batch_export_reuses_stored_briefs(client, part4, secretariat, pdf_renders):
    client.get(reverse("reports:brief-pdf", args=[part4["cali"].pk]))  # the public view
    job = start_export(user=secretariat, round="2023")
    run_export(job.pk)
    first = len(pdf_renders)
    again = start_export(user=secretariat, round="2023")
    run_export(again.pk)
    # The second run renders only what cannot be stored (drafts of the round), nothing else.
    drafts = Assessment.objects.filter(round__code="2023").exclude(
        status=Assessment.Status.PUBLISHED).count()
    assert len(pdf_renders) - first == drafts
    again.refresh_from_db()
    with again.file.open("rb") as handle:
        names = zipfile.ZipFile(io.BytesIO(handle.read())).namelist()
    assert sum(name.startswith("cali-") for name in names) == 1


def test_the_worker_prunes_briefs_that_can_no_longer_be_served(client, part4, settings):
    from datetime import timedelta

    from cities.models import City
    from reports.models import BriefInputs

    settings.STORED_BRIEF_RETENTION_DAYS = 30
    edmonton, cali = part4["edmonton"], part4["cali"]
    client.get(reverse("reports:brief", args=[edmonton.pk]))
    old = StoredBrief.objects.get()
    # A change the brief may show: Edmonton's stored page names an older generation now.
    city = City.objects.get(slug="bristol")
    city.name = "Bristol"
    city.save()
    changed = BriefInputs.objects.get(pk=1).changed_at
    assert changed is not None and changed >= old.created_at
    client.get(reverse("reports:brief", args=[cali.pk]))
    current = StoredBrief.objects.get(assessment=cali)

    assert brief_cache.prune_stored() == 1
    assert list(StoredBrief.objects.all()) == [current]
    assert not default_storage.exists(old.file.name)
    assert default_storage.exists(current.file.name)
    # Nothing changes for 31 days: the current one goes too, and is simply rendered again.
    assert brief_cache.prune_stored(now=timezone.now() + timedelta(days=31)) == 1
    assert not StoredBrief.objects.exists()
    assert client.get(reverse("reports:brief", args=[cali.pk])).status_code == 200
    assert StoredBrief.objects.count() == 1


def test_pruning_a_row_whose_file_is_already_gone_removes_the_row(client, part4):
    from datetime import timedelta

    client.get(reverse("reports:brief", args=[part4["cali"].pk]))
    stored = StoredBrief.objects.get()
    default_storage.delete(stored.file.name)
    assert brief_cache.prune_stored(now=timezone.now() + timedelta(days=31)) == 1
    assert not StoredBrief.objects.exists()
