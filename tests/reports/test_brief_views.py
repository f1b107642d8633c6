"""The office brief page and PDF: who may see them, what they show, how many queries."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from cities.models import OfficeMembership, User
from criteria.models import Assessment, CriterionResponse

from .conftest import pdf_text

pytestmark = pytest.mark.django_db

# Palmira's 2026 draft: its office's members and the secretariat; nobody else.
DRAFT_ACCESS = {
    "anonymous": 404, "editor_a": 200, "viewer_a": 200, "editor_b": 404,
    "secretariat": 200, "researcher": 404,
}


@pytest.mark.parametrize("persona", sorted(DRAFT_ACCESS))
@pytest.mark.parametrize("route", ["reports:brief", "reports:brief-pdf"])
def test_draft_brief_is_a_404_to_everyone_who_may_not_see_it(
    as_persona, palmira_draft, persona, route
):
    response = as_persona(persona).get(reverse(route, args=[palmira_draft.pk]))
    assert response.status_code == DRAFT_ACCESS[persona]


@pytest.mark.parametrize("persona", ["anonymous", "editor_b", "researcher"])
def test_unpublished_public_brief_stays_private(as_persona, part4, persona):
    cali = part4["cali"]
    Assessment.objects.filter(pk=cali.pk).update(is_public=False)
    expected = 200 if persona == "researcher" else 404  # researchers see published ones
    assert as_persona(persona).get(reverse("reports:brief", args=[cali.pk])).status_code == (
        expected
    )


def test_missing_data_renders_not_provided_markers(as_persona, palmira_draft):
    response = as_persona("editor_a").get(reverse("reports:brief", args=[palmira_draft.pk]))
    html = response.content.decode()
    assert html.count("not provided") >= 18  # nine rows × strengths and opportunities
    assert "Draft — not reviewed" in html
    assert "Levels not provided" in html


def test_draft_pdf_carries_the_draft_mark(as_persona, palmira_draft, tmp_path):
    response = as_persona("editor_a").get(reverse("reports:brief-pdf", args=[palmira_draft.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert "Draft — not reviewed" in pdf_text(response.content, tmp_path)


def test_brief_page_has_plotly_data_and_the_svg_fallback(client, part4):
    html = client.get(reverse("reports:brief", args=[part4["cali"].pk])).content.decode()
    assert 'id="chart-levels" type="application/json"' in html
    assert "<svg" in html
    assert "/static/vendor/plotly-ovp.min.js" in html
    assert "cdn" not in html.lower()


# The first request of a published brief renders and stores it: 1 the assessment (+office,
# city, round, framework) through the access layer, 2 its stored-brief key, 3 the stored brief
# (none yet); then the brief: 4 assessment (+office, city, framework, profile), 5 responses
# (+criterion), 6 evidence, 7 funding sources, 8 tradeoff titles in the reader's language,
# 9 network medians, 10 good practices of the weakest criteria, 11 peers scoring high there,
# 12 outcome figures, 13 the city's network goal, 14 the previous published round of the
# office (none), 15 plan targets, 16 plan actions, 17 the office's public indicators with
# their latest values; 18-20 the stored brief's row (savepoint, insert, release). Anonymous:
# no session query. A repeat is 3 (test_brief_cache.py).
FIRST_BRIEF_QUERIES = 20


def test_brief_page_query_count_is_fixed(client, part4, django_assert_num_queries):
    url = reverse("reports:brief", args=[part4["edmonton"].pk])
    with django_assert_num_queries(FIRST_BRIEF_QUERIES):
        assert client.get(url).status_code == 200


def test_brief_query_count_does_not_grow_with_evidence(client, part4, django_assert_num_queries):
    response = CriterionResponse.objects.filter(assessment=part4["edmonton"]).first()
    for i in range(20):
        response.evidence.create(kind="note", title=f"Extra {i}")
    with django_assert_num_queries(FIRST_BRIEF_QUERIES):
        client.get(reverse("reports:brief", args=[part4["edmonton"].pk]))


@pytest.mark.parametrize("paper,size", [("a4", "595.276 x 841.89"), ("letter", "612 x 792")])
def test_pdf_comes_in_a4_and_us_letter(client, part4, tmp_path, paper, size):
    import subprocess

    response = client.get(reverse("reports:brief-pdf", args=[part4["cali"].pk]), {"paper": paper})
    path = tmp_path / "b.pdf"
    path.write_bytes(response.content)
    info = subprocess.run(["/usr/bin/pdfinfo", str(path)], capture_output=True,  # noqa: S603
                          check=True).stdout.decode()
    assert size in info


# --- the public briefs page and the office's choice to publish ---------------------------


def test_public_page_lists_only_published_public_briefs(client, part4, palmira_draft):
    Assessment.objects.filter(pk=part4["rosario"].pk).update(is_public=False)
    Assessment.objects.filter(pk=palmira_draft.pk).update(is_public=True)  # a draft: never shown
    html = client.get(reverse("reports:public-briefs")).content.decode()
    assert escape(part4["cali"].subject) in html
    assert escape(part4["rosario"].subject) not in html
    assert "Secretariat for Security and Coexistence" not in html


def test_public_page_is_the_same_for_signed_in_users(as_persona, part4, palmira_draft):
    html = as_persona("editor_a").get(reverse("reports:public-briefs")).content.decode()
    assert reverse("reports:brief", args=[palmira_draft.pk]) not in html


@pytest.fixture
def edmonton_editor(db):
    user = User.objects.create_user("reach-editor", password="x-unused-pass-123")
    OfficeMembership.objects.create(
        user=user, office_id=Assessment.objects.get(office__slug="reach-edmonton").office_id,
        role=OfficeMembership.Role.EDITOR,
    )
    return user


def test_office_editor_confirms_then_makes_the_brief_private_and_public(
    client, part4, edmonton_editor
):
    edmonton = part4["edmonton"]
    client.force_login(edmonton_editor)
    url = reverse("reports:brief-publish", args=[edmonton.pk])
    confirm = client.get(url)
    assert b"Yes, make it private" in confirm.content
    edmonton.refresh_from_db()
    assert edmonton.is_public  # asking is not doing
    client.post(url, {"public": "0"})
    edmonton.refresh_from_db()
    assert not edmonton.is_public
    public_page = client.get(reverse("reports:public-briefs")).content.decode()
    assert escape(edmonton.subject) not in public_page
    client.post(url, {"public": "1"})
    edmonton.refresh_from_db()
    assert edmonton.is_public


def test_the_kept_brief_page_shows_each_reader_their_own_toolbar_and_the_current_state(
    client, part4, edmonton_editor
):
    """A stored brief's page (breadcrumbs, toolbar, brief) is kept per key and per whether
    the reader may publish it: an editor and a viewer of the office share the key, not the
    link; making the brief private is a new key, so the badge goes at once."""
    edmonton = part4["edmonton"]
    viewer = User.objects.create_user("reach-viewer", password="x-unused-pass-123")
    OfficeMembership.objects.create(user=viewer, office_id=edmonton.office_id,
                                    role=OfficeMembership.Role.VIEWER)
    url = reverse("reports:brief", args=[edmonton.pk])
    publish = reverse("reports:brief-publish", args=[edmonton.pk])
    for _round in range(2):
        for user, may_publish in ((edmonton_editor, True), (viewer, False)):
            client.force_login(user)
            page = client.get(url).content.decode()
            assert (f'href="{publish}"' in page) is may_publish
            assert "On the public briefs page" in page
    client.force_login(edmonton_editor)
    client.post(publish, {"public": "0"})
    for user in (edmonton_editor, viewer):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert "On the public briefs page" not in page
        assert "Edmonton" in page  # the brief itself is still there


@pytest.mark.parametrize("persona,status", [
    ("anonymous", 403), ("viewer_a", 403), ("editor_b", 403), ("secretariat", 403),
])
def test_only_the_office_editor_may_publish(as_persona, part4, persona, status):
    edmonton = part4["edmonton"]
    response = as_persona(persona).post(
        reverse("reports:brief-publish", args=[edmonton.pk]), {"public": "0"}
    )
    assert response.status_code == status
    edmonton.refresh_from_db()
    assert edmonton.is_public


def test_a_draft_cannot_be_published_on_the_public_page(as_persona, palmira_draft):
    response = as_persona("editor_a").post(
        reverse("reports:brief-publish", args=[palmira_draft.pk]), {"public": "1"}
    )
    assert response.status_code == 403
    palmira_draft.refresh_from_db()
    assert not palmira_draft.is_public


# --- network brief -----------------------------------------------------------------------


def test_network_brief_shows_distribution_heatmap_gaps_and_standouts(as_persona):
    html = as_persona("researcher").get(
        reverse("reports:network-brief", args=["2023"])
    ).content.decode()
    for heading in ["Distribution of levels per criterion", "Offices by criteria",
                    "Most common gaps", "Standout practices"]:
        assert heading in html
    assert "REACH Edmonton" in html  # the only level 4s of 2023


def test_network_brief_of_an_invisible_round_is_a_404(as_persona):
    assert as_persona("editor_b").get(
        reverse("reports:network-brief", args=["2026"])
    ).status_code == 404


def test_network_pdf_renders(as_persona, tmp_path):
    response = as_persona("secretariat").get(reverse("reports:network-pdf", args=["2023"]))
    text = pdf_text(response.content, tmp_path)
    assert "Most common gaps" in text
    assert "Cali" in text


def test_network_brief_offers_its_data_as_csv_xlsx_and_json(client, part4):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="demo-researcher"))
    page = client.get(reverse("reports:network-brief", args=["2023"])).content.decode()
    for fmt in ("csv", "xlsx", "json"):
        url = reverse("reports:compare-export", args=[fmt]) + "?round=2023"
        assert url in page
        answer = client.get(url)
        assert answer.status_code == 200
        body = b"".join(answer.streaming_content) if answer.streaming else answer.content
        if fmt != "xlsx":
            assert b"Rosario" in body
