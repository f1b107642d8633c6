"""The admin is scoped as the product is: the four escalations a probe found are refused.

As demo-secretariat (PiOC): (1) reading another network's draft, (2) making itself editor of
that network's office, (3) making itself secretariat of a second network, (4) changing a
published response. Also: no staff / superuser / group grants, admin writes bump versions
and write history, and evidence added in the admin passes the product's upload checks.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cities.models import NetworkMembership, NetworkRole, OfficeMembership, User
from criteria.models import Assessment, CriterionResponse, Evidence

pytestmark = pytest.mark.django_db


def _management(prefix, total=0, initial=0):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


def _form_data(page):
    """The admin form's current values, as a browser would post them back."""
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else value
    return data


@pytest.fixture
def published(client, palmira_draft, complete_draft, editor_a, secretariat):
    from criteria import workflow

    response = palmira_draft.responses.get(criterion__number=1)
    Evidence.objects.create(response=response, kind="note", title="Minutes", note="N")
    workflow.submit_assessment(assessment=palmira_draft, by=editor_a)
    return workflow.publish_assessment(assessment=palmira_draft, by=secretariat)


# --- (1) another network's draft -------------------------------------------------------------


def test_secretariat_cannot_read_another_networks_draft_in_the_admin(
        client, secretariat, other_network):
    client.force_login(secretariat)
    draft = other_network.draft
    response = draft.responses.first()
    listing = client.get(reverse("admin:criteria_assessment_changelist"))
    assert listing.status_code == 200
    assert draft.pk not in [a.pk for a in listing.context["cl"].result_list]
    for url in (
        reverse("admin:criteria_assessment_change", args=[draft.pk]),
        reverse("admin:criteria_criterionresponse_change", args=[response.pk]),
        reverse("admin:criteria_officeprofile_change", args=[draft.profile.pk]),
        reverse("admin:cities_office_change", args=[other_network.office.pk]),
    ):
        page = client.get(url)
        assert page.status_code == 302, url  # "does not exist", back to the index
    history = client.get(reverse("admin:criteria_criterionresponse_history",
                                 args=[response.pk]))
    assert history.status_code == 404


def test_other_networks_secretariat_cannot_read_pioc_drafts_in_the_admin(
        client, other_secretariat, palmira_draft):
    client.force_login(other_secretariat)
    page = client.get(reverse("admin:criteria_assessment_change", args=[palmira_draft.pk]))
    assert page.status_code == 302
    listing = client.get(reverse("admin:criteria_criterionresponse_changelist"))
    assert not listing.context["cl"].result_list.filter(assessment=palmira_draft).exists()


def test_superuser_sees_every_networks_draft_in_the_admin(client, superuser, other_network):
    client.force_login(superuser)
    page = client.get(reverse("admin:criteria_assessment_change",
                              args=[other_network.draft.pk]))
    assert page.status_code == 200


# --- (2) editor of that office ------------------------------------------------------------------


def test_secretariat_cannot_make_itself_editor_of_another_networks_office(
        client, secretariat, other_network):
    client.force_login(secretariat)
    before = OfficeMembership.objects.count()
    add = client.post(reverse("admin:cities_officemembership_add"), {
        "user": secretariat.pk, "office": other_network.office.pk, "role": "editor"})
    assert add.status_code == 403
    # Nor through its own account's page, with a membership row slipped into the inline.
    url = reverse("admin:cities_user_change", args=[secretariat.pk])
    data = _form_data(client.get(url))
    data.update(_management("office_memberships", total=1))
    data.update({"office_memberships-0-office": other_network.office.pk,
                 "office_memberships-0-role": "editor",
                 "office_memberships-0-user": secretariat.pk})
    data.update(_management("network_roles"))
    client.post(url, data)
    assert OfficeMembership.objects.count() == before
    assert not OfficeMembership.objects.filter(user=secretariat).exists()


def test_secretariat_cannot_make_itself_editor_of_its_own_networks_office(
        client, secretariat, palmira_draft):
    """Members are added on the office's members page, where it is recorded, not here."""
    client.force_login(secretariat)
    add = client.post(reverse("admin:cities_officemembership_add"), {
        "user": secretariat.pk, "office": palmira_draft.office_id, "role": "editor"})
    assert add.status_code == 403
    assert not OfficeMembership.objects.filter(user=secretariat).exists()


# --- (3) secretariat of a second network --------------------------------------------------------


def test_secretariat_cannot_make_itself_secretariat_of_a_second_network(
        client, secretariat, other_network):
    client.force_login(secretariat)
    before = list(NetworkRole.objects.filter(user=secretariat).values_list("network_id"))
    add = client.post(reverse("admin:cities_networkrole_add"), {
        "user": secretariat.pk, "network": other_network.network.pk, "role": "secretariat"})
    assert add.status_code == 403
    url = reverse("admin:cities_user_change", args=[secretariat.pk])
    data = _form_data(client.get(url))
    data.update(_management("office_memberships"))
    data.update(_management("network_roles", total=1))
    data.update({"network_roles-0-network": other_network.network.pk,
                 "network_roles-0-role": "secretariat", "network_roles-0-user": secretariat.pk})
    client.post(url, data)
    network_page = client.get(reverse("admin:cities_network_change",
                                      args=[other_network.network.pk]))
    assert network_page.status_code == 302
    assert list(NetworkRole.objects.filter(user=secretariat).values_list("network_id")) == before


def test_secretariat_cannot_bring_a_city_into_its_network(client, secretariat, other_network):
    """A city joining the network would bring its drafts into the secretariat's sight."""
    client.force_login(secretariat)
    from cities.models import Network

    result = client.post(reverse("admin:cities_networkmembership_add"), {
        "network": Network.objects.get(slug="pioc").pk, "city": other_network.city.pk})
    assert result.status_code == 403
    assert not NetworkMembership.objects.filter(city=other_network.city,
                                                network__slug="pioc").exists()


def test_secretariat_cannot_grant_staff_superuser_or_groups(client, secretariat, viewer_a):
    client.force_login(secretariat)
    url = reverse("admin:cities_user_change", args=[viewer_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b"pbkdf2" not in page.content  # not even the password hash is shown
    data = _form_data(page)
    data.update({"first_name": "Victoria", "is_staff": "on", "is_superuser": "on",
                 "groups": [str(g) for g in secretariat.groups.values_list("pk", flat=True)]})
    data.update(_management("office_memberships"))
    data.update(_management("network_roles"))
    result = client.post(url, data)
    assert result.status_code == 302
    viewer_a.refresh_from_db()
    assert viewer_a.first_name == "Victoria"
    assert not viewer_a.is_staff and not viewer_a.is_superuser
    assert not viewer_a.groups.exists()
    # Nor set anyone's password.
    password = client.get(reverse("admin:auth_user_password_change", args=[viewer_a.pk]))
    assert password.status_code == 403


def test_secretariat_sees_only_its_networks_people(client, secretariat, other_network):
    client.force_login(secretariat)
    listing = client.get(reverse("admin:cities_user_changelist"))
    people = set(listing.context["cl"].result_list.values_list("username", flat=True))
    assert {"demo-editor", "demo-viewer", "demo-researcher"} <= people
    assert "other-secretariat" not in people
    assert client.get(reverse("admin:cities_user_add")).status_code == 403


# --- (4) a published response --------------------------------------------------------------------


def test_secretariat_cannot_change_a_published_response(client, secretariat, published):
    client.force_login(secretariat)
    response = published.responses.get(criterion__number=1)
    before = CriterionResponse.objects.filter(pk=response.pk).values().get()
    url = reverse("admin:criteria_criterionresponse_change", args=[response.pk])
    page = client.get(url)
    assert page.status_code == 200  # readable, with no way to save
    assert b'name="_save"' not in page.content
    result = client.post(url, {"criterion": response.criterion_id, "level": "4",
                               "current_strengths": "Changed after publication",
                               **_management("evidence", initial=1)})
    assert result.status_code == 403
    version = response.history.order_by("history_id").first().history_id
    revert = client.post(reverse("admin:criteria_criterionresponse_simple_history",
                                 args=[response.pk, version]),
                         {"criterion": response.criterion_id, "level": "0"})
    assert revert.status_code == 403
    assessment = client.post(reverse("admin:criteria_assessment_change", args=[published.pk]),
                             {"round": "2026"})
    assert assessment.status_code == 403
    assert CriterionResponse.objects.filter(pk=response.pk).values().get() == before


def test_evidence_of_a_published_assessment_is_shown_read_only_in_the_admin(
        client, secretariat, published):
    # Its form has no editable field at all; it used to fail with a 500 (KeyError).
    client.force_login(secretariat)
    evidence = Evidence.objects.get(response__assessment=published, title="Minutes")
    page = client.get(reverse("admin:criteria_evidence_change", args=[evidence.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert b"Minutes" in page.content


def test_published_assessment_cannot_be_deleted_in_the_admin(client, superuser, published):
    client.force_login(superuser)
    url = reverse("admin:criteria_assessment_delete", args=[published.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Assessment.objects.filter(pk=published.pk).exists()


def test_evidence_cannot_be_added_to_a_published_response_in_the_admin(
        client, secretariat, published):
    client.force_login(secretariat)
    response = published.responses.get(criterion__number=2)
    result = client.post(reverse("admin:criteria_evidence_add"), {
        "response": response.pk, "kind": "note", "title": "Late", "note": "N",
        "strength": "self_reported"})
    assert result.status_code == 200
    assert "response" in result.context["adminform"].form.errors
    assert not response.evidence.exists()


# --- writes that are allowed -------------------------------------------------------------------


def test_admin_change_to_a_draft_bumps_versions_and_writes_history(
        client, secretariat, palmira_draft):
    client.force_login(secretariat)
    response = palmira_draft.responses.get(criterion__number=1)
    other = palmira_draft.responses.get(criterion__number=2)
    version, other_version = response.version, other.version
    records = response.history.count()
    url = reverse("admin:criteria_criterionresponse_change", args=[response.pk])
    data = _form_data(client.get(url))
    data.update({"current_strengths": "Fixed by the secretariat",
                 **_management("evidence")})
    result = client.post(url, data)
    assert result.status_code == 302
    response.refresh_from_db()
    other.refresh_from_db()
    assert response.current_strengths == "Fixed by the secretariat"
    assert response.version == version + 1  # an API client's ETag no longer matches
    assert other.version == other_version + 1
    latest = response.history.order_by("-history_id").first()
    assert response.history.count() == records + 1
    assert latest.history_user == secretariat


def test_api_etag_changes_after_an_admin_write(client, secretariat, editor_a, palmira_draft):
    response = palmira_draft.responses.get(criterion__number=1)
    client.force_login(editor_a)
    before = client.get(f"/api/responses/{response.pk}/")["ETag"]
    client.force_login(secretariat)
    profile_url = reverse("admin:criteria_officeprofile_change", args=[palmira_draft.profile.pk])
    data = _form_data(client.get(profile_url))
    data.update({"mandate_goals": "Reduce homicides", **_management("funding_sources")})
    assert client.post(profile_url, data).status_code == 302
    client.force_login(editor_a)
    after = client.get(f"/api/responses/{response.pk}/")
    assert after["ETag"] != before
    stale = client.patch(f"/api/responses/{response.pk}/", {"current_strengths": "x"},
                         content_type="application/json", headers={"If-Match": before})
    assert stale.status_code == 412


def test_admin_evidence_upload_goes_through_the_products_checks(
        client, secretariat, palmira_draft):
    client.force_login(secretariat)
    response = palmira_draft.responses.get(criterion__number=1)
    fake = SimpleUploadedFile("report.pdf", b"<html><script>alert(1)</script></html>",
                              content_type="application/pdf")
    result = client.post(reverse("admin:criteria_evidence_add"), {
        "response": response.pk, "kind": "document", "title": "Fake", "file": fake,
        "strength": "documented"})
    assert result.status_code == 200
    assert "file" in result.context["adminform"].form.errors
    assert not response.evidence.exists()

    real = SimpleUploadedFile("minutes.pdf", b"%PDF-1.4\n%minutes\n%%EOF\n",
                              content_type="text/html")
    version = response.version
    result = client.post(reverse("admin:criteria_evidence_add"), {
        "response": response.pk, "kind": "document", "title": "Minutes", "file": real,
        "strength": "verified"})
    assert result.status_code == 302, result.context["adminform"].form.errors
    evidence = response.evidence.get()
    assert evidence.content_type == "application/pdf"  # what the checks found
    assert evidence.original_name == "minutes.pdf"
    assert evidence.file.name.startswith("evidence/") and "minutes" not in evidence.file.name
    response.refresh_from_db()
    assert response.version == version + 1


def test_secretariat_cannot_pick_another_networks_office_for_an_assessment(
        client, secretariat, other_network, palmira_draft):
    client.force_login(secretariat)
    url = reverse("admin:criteria_assessment_change", args=[palmira_draft.pk])
    data = _form_data(client.get(url))
    data.update({"office": other_network.office.pk, "city": other_network.city.pk})
    for prefix in ("profile", "responses", "review_comments"):
        data.update(_management(prefix))
    result = client.post(url, data)
    assert result.status_code == 200
    errors = result.context["adminform"].form.errors
    assert "office" in errors and "city" in errors
    palmira_draft.refresh_from_db()
    assert palmira_draft.office.slug == "palmira-security-coexistence"


def test_user_list_for_other_secretariat_excludes_pioc_people(client, other_secretariat):
    client.force_login(other_secretariat)
    listing = client.get(reverse("admin:cities_user_changelist"))
    names = set(listing.context["cl"].result_list.values_list("username", flat=True))
    assert "demo-editor" not in names
    assert User.objects.filter(username="demo-editor").exists()
