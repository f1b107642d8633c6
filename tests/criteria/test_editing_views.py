"""Editing in the browser without JavaScript, with htmx autosave, and what bad input gets."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from criteria.models import Assessment, CriterionResponse, Evidence
from tests.conftest import fill_response

from .upload_samples import image, xlsx

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def edit_url(assessment, number):
    return reverse("criteria:response-edit", args=[assessment.pk, number])


def answer(version, **overrides):
    data = {"version": version, "level": "2", "current_strengths": "A public mandate since 2020.",
            "opportunities": "Measurable goals.", "confidence": "high",
            "not_applicable_reason": ""}
    data.update(overrides)
    return data


def test_editor_saves_a_criterion_with_an_ordinary_post(client, editor_a, palmira_draft):
    client.force_login(editor_a)
    response = palmira_draft.responses.get(criterion__number=1)
    result = client.post(edit_url(palmira_draft, 1), answer(response.version))
    assert result.status_code == 302
    saved = CriterionResponse.objects.get(pk=response.pk)
    assert saved.level == 2 and saved.current_strengths == "A public mandate since 2020."
    assert saved.version == response.version + 1


def test_save_and_next_goes_to_the_next_criterion(client, editor_a, palmira_draft):
    client.force_login(editor_a)
    response = palmira_draft.responses.get(criterion__number=4)
    result = client.post(edit_url(palmira_draft, 4), answer(response.version, save_next="1"))
    assert result.url == edit_url(palmira_draft, 5)


def test_autosave_answers_with_the_status_and_the_new_version(client, editor_a, palmira_draft):
    client.force_login(editor_a)
    response = palmira_draft.responses.get(criterion__number=2)
    result = client.post(edit_url(palmira_draft, 2), answer(response.version),
                         headers={"HX-Request": "true"})
    assert result.status_code == 200
    body = result.content.decode()
    assert 'data-state="saved"' in body
    assert f'value="{response.version + 1}"' in body and 'hx-swap-oob="true"' in body


def test_an_autosave_runs_a_fixed_number_of_queries(client, editor_a, palmira_draft,
                                                   django_assert_num_queries):
    """Every pause of every editor is an autosave: it reads the assessment once."""
    client.force_login(editor_a)
    response = palmira_draft.responses.get(criterion__number=2)
    client.get(edit_url(palmira_draft, 2))
    # session, user, their roles (read once: the MFA rule and their role in the office); the
    # assessment (with office, city, round, framework); the answer with its criterion, the
    # rubric; savepoint, the assessment locked, the version claimed, the answer written, its
    # history row, release; the profile for the consistency check.
    with django_assert_num_queries(13):
        result = client.post(edit_url(palmira_draft, 2), answer(response.version),
                             headers={"HX-Request": "true"})
    assert result.status_code == 200
    saved = CriterionResponse.objects.get(pk=response.pk)
    assert saved.version == response.version + 1 and saved.level == 2
    assert saved.history.first().current_strengths == "A public mandate since 2020."


def test_a_stale_save_shows_both_versions_and_overwrites_nothing(client, editor_a,
                                                                palmira_draft, viewer_a):
    client.force_login(editor_a)
    response = palmira_draft.responses.get(criterion__number=3)
    opened_at = response.version
    fill_response(response, editor_a)  # a colleague saved meanwhile
    result = client.post(edit_url(palmira_draft, 3),
                         answer(opened_at, current_strengths="My newer text"))
    assert result.status_code == 409
    body = result.content.decode()
    assert "Strength 3" in body and "My newer text" in body
    assert CriterionResponse.objects.get(pk=response.pk).current_strengths == "Strength 3"


def test_a_stale_autosave_says_so_without_overwriting(client, editor_a, palmira_draft):
    client.force_login(editor_a)
    response = palmira_draft.responses.get(criterion__number=3)
    fill_response(response, editor_a)
    result = client.post(edit_url(palmira_draft, 3), answer(response.version),
                         headers={"HX-Request": "true"})
    assert result.status_code == 409
    assert 'data-state="conflict"' in result.content.decode()


def test_a_level_outside_the_rubric_is_refused_naming_the_field(client, editor_a,
                                                               palmira_draft):
    client.force_login(editor_a)
    response = palmira_draft.responses.get(criterion__number=1)
    result = client.post(edit_url(palmira_draft, 1), answer(response.version, level="5"))
    assert result.status_code == 422
    body = result.content.decode()
    assert "error-summary" in body and "Level" in body and "0 to 4" in body
    assert CriterionResponse.objects.get(pk=response.pk).level is None


def test_not_applicable_without_a_reason_is_refused(client, editor_a, palmira_draft):
    client.force_login(editor_a)
    response = palmira_draft.responses.get(criterion__number=1)
    result = client.post(edit_url(palmira_draft, 1), answer(response.version,
                                                           not_applicable="on"))
    assert result.status_code == 422
    assert "Why it does not apply" in result.content.decode()


def test_viewer_reads_but_cannot_save(client, viewer_a, palmira_draft):
    client.force_login(viewer_a)
    response = palmira_draft.responses.get(criterion__number=1)
    assert client.get(edit_url(palmira_draft, 1)).status_code == 302  # to the read-only view
    assert client.post(edit_url(palmira_draft, 1), answer(response.version)).status_code == 403
    assert CriterionResponse.objects.get(pk=response.pk).version == response.version


def test_history_shows_who_changed_what(client, editor_a, palmira_draft):
    client.force_login(editor_a)
    response = palmira_draft.responses.get(criterion__number=1)
    saved = fill_response(response, editor_a)
    fill_response(saved, editor_a, level=3)
    page = client.get(reverse("criteria:response-history", args=[palmira_draft.pk, 1]))
    body = page.content.decode()
    assert "Elena Editor" in body
    assert re.search(r"<del>2 — Developing</del>\s*<ins>3 — Established</ins>", body) or (
        "<del>2</del>" in body and "<ins>3</ins>" in body
    )


# --- evidence ------------------------------------------------------------------------------


def upload(client, assessment, number, name, content, **extra):
    data = {"kind": "document", "title": "Budget law", "source": "City council",
            "strength": "documented", "file": SimpleUploadedFile(name, content), **extra}
    return client.post(reverse("criteria:evidence-add", args=[assessment.pk, number]), data)


def stored_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_pdf_is_stored_under_a_random_name_and_downloaded_as_attachment(
    client, editor_a, palmira_draft, settings
):
    client.force_login(editor_a)
    assert upload(client, palmira_draft, 6, "budget law.pdf", PDF).status_code == 302
    evidence = Evidence.objects.get(title="Budget law")
    assert evidence.original_name == "budget law.pdf"
    assert "budget" not in evidence.file.name and evidence.file.name.endswith(".pdf")
    assert evidence.content_type == "application/pdf"
    download = client.get(reverse("criteria:evidence-download", args=[evidence.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert "budget law.pdf" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"<!DOCTYPE html><script>alert(1)</script>", "not accepted as PDF"),
        ("data.csv", b"<html><body>hi</body></html>", "not accepted as CSV"),
        ("photo.png", b"GIF89a....", "not accepted as PNG"),
        ("notes.docx", b"PK\x03\x04" + b"\x00" * 40, "not accepted as DOCX"),
        ("tool.exe", b"MZ\x90\x00", "not an accepted file type"),
        ("page.html", b"<html></html>", "not an accepted file type"),
    ],
)
def test_disguised_or_unaccepted_uploads_are_refused_and_nothing_is_stored(
    client, editor_a, palmira_draft, settings, name, content, message
):
    client.force_login(editor_a)
    result = upload(client, palmira_draft, 6, name, content)
    assert result.status_code == 422
    assert message in result.content.decode()
    assert not Evidence.objects.filter(title="Budget law").exists()
    assert stored_files(settings) == []


def test_an_oversized_upload_is_refused(client, editor_a, palmira_draft, settings):
    client.force_login(editor_a)
    big = PDF + b"0" * (20 * 1024 * 1024)
    result = upload(client, palmira_draft, 6, "big.pdf", big)
    assert result.status_code == 422
    assert "at most 20 MB" in result.content.decode()
    assert stored_files(settings) == []


def test_real_office_files_are_accepted(client, editor_a, palmira_draft):
    client.force_login(editor_a)
    files = [("sheet.xlsx", xlsx()), ("rates.csv", b"year,rate\n2022,42.9\n"),
             ("chart.png", image("PNG")), ("photo.jpg", image("JPEG"))]
    for name, content in files:
        assert upload(client, palmira_draft, 9, name, content, title=name).status_code == 302
    assert Evidence.objects.filter(response__assessment=palmira_draft).count() == 4


def test_a_link_needs_its_url(client, editor_a, palmira_draft):
    client.force_login(editor_a)
    result = client.post(reverse("criteria:evidence-add", args=[palmira_draft.pk, 1]),
                         {"kind": "link", "title": "Website", "strength": "self_reported"})
    assert result.status_code == 422 and "A link needs its URL" in result.content.decode()


def test_only_the_secretariat_can_mark_evidence_verified(client, editor_a, palmira_draft):
    client.force_login(editor_a)
    result = client.post(reverse("criteria:evidence-add", args=[palmira_draft.pk, 1]),
                         {"kind": "note", "title": "Claim", "note": "We are great.",
                          "strength": "verified"})
    assert result.status_code == 422
    assert not Evidence.objects.filter(title="Claim").exists()


def test_other_offices_cannot_download_evidence(client, editor_a, editor_b, palmira_draft):
    client.force_login(editor_a)
    upload(client, palmira_draft, 6, "law.pdf", PDF)
    evidence = Evidence.objects.get(title="Budget law")
    url = reverse("criteria:evidence-download", args=[evidence.pk])
    client.force_login(editor_b)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404


def test_removing_evidence_asks_first(client, editor_a, palmira_draft):
    client.force_login(editor_a)
    upload(client, palmira_draft, 6, "law.pdf", PDF)
    evidence = Evidence.objects.get(title="Budget law")
    url = reverse("criteria:evidence-delete", args=[evidence.pk])
    assert "Remove this evidence?" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not Evidence.objects.filter(pk=evidence.pk).exists()


# --- profile, submit, review ---------------------------------------------------------------


def profile_data(**extra):
    data = {"institutional_location": "mayors_office", "police_control": "national",
            "staffing_model": "mixed", "staff_expertise": "both",
            "prevention_primary": "true", "prevention_secondary": "unknown",
            "prevention_tertiary": "unknown", "has_baseline": "unknown",
            "buy_in_single_champion": "unknown", "leadership": "unknown",
            "formal_strategy": "unknown", "overlapping_mandates": "unknown",
            "short_term_contracts": "unknown", "impact_evaluation": "unknown",
            "funding-TOTAL_FORMS": "2", "funding-INITIAL_FORMS": "0",
            "funding-MIN_NUM_FORMS": "0", "funding-MAX_NUM_FORMS": "1000"}
    data.update(extra)
    return data


def test_profile_with_shares_over_100_is_refused_and_nothing_saved(client, editor_a,
                                                                  palmira_draft):
    client.force_login(editor_a)
    url = reverse("criteria:profile-edit", args=[palmira_draft.pk])
    result = client.post(url, profile_data(**{
        "funding-0-name": "City", "funding-0-kind": "municipal", "funding-0-share_percent": "80",
        "funding-1-name": "USAID", "funding-1-kind": "international",
        "funding-1-share_percent": "30"}))
    assert result.status_code == 422
    assert "110" in result.content.decode()
    palmira_draft.profile.refresh_from_db()
    assert palmira_draft.profile.institutional_location != "mayors_office"
    assert not palmira_draft.profile.funding_sources.exists()


def test_profile_saves_with_funding_sources(client, editor_a, palmira_draft):
    client.force_login(editor_a)
    url = reverse("criteria:profile-edit", args=[palmira_draft.pk])
    result = client.post(url, profile_data(**{
        "budget_amount": "1000000", "budget_currency": "cop", "budget_year": "2025",
        "funding-0-name": "City", "funding-0-kind": "municipal", "funding-0-share_percent": "70",
        "funding-1-name": "Donor", "funding-1-kind": "international",
        "funding-1-share_percent": "30", "funding-1-project_based": "on"}))
    assert result.status_code == 302
    profile = Assessment.objects.get(pk=palmira_draft.pk).profile
    assert profile.budget_currency == "COP" and profile.funding_total() == 100


def test_profile_saves_the_facts_the_tradeoff_notes_read(client, editor_a, palmira_draft):
    client.force_login(editor_a)
    url = reverse("criteria:profile-edit", args=[palmira_draft.pk])
    result = client.post(url, profile_data(
        leadership="civilian", formal_strategy="false", overlapping_mandates="true",
        short_term_contract_share="60", impact_evaluation="planned",
        last_reach_audit_year="2024", next_transition_year="2027", next_transition_month="10",
        notes="Strategy: decree 12 of 2020 was never signed."))
    assert result.status_code == 302
    profile = Assessment.objects.get(pk=palmira_draft.pk).profile
    assert profile.leadership == "civilian" and profile.formal_strategy is False
    assert profile.overlapping_mandates is True and profile.impact_evaluation == "planned"
    # a share above 0 % says staff are on short-term contracts
    assert profile.short_term_contracts is True and profile.short_term_contract_share == 60
    assert (profile.next_transition_year, profile.next_transition_month) == (2027, 10)
    assert profile.notes.startswith("Strategy:")


@pytest.mark.parametrize(("extra", "field", "message"), [
    ({"next_transition_month": "10"}, "next_transition_year", "Give the year"),
    ({"next_transition_year": "2027", "next_transition_month": "13"}, "next_transition_month",
     "less than or equal to 12"),
    ({"short_term_contracts": "false", "short_term_contract_share": "20"},
     "short_term_contract_share", "no staff are on short-term contracts"),
    ({"short_term_contract_share": "120"}, "short_term_contract_share",
     "less than or equal to 100"),
    ({"leadership": "mayor"}, "leadership", "Select a valid choice"),
])
def test_bad_profile_facts_are_refused_naming_the_field(client, editor_a, palmira_draft, extra,
                                                        field, message):
    client.force_login(editor_a)
    url = reverse("criteria:profile-edit", args=[palmira_draft.pk])
    result = client.post(url, profile_data(budget_note="Kept as typed", **extra))
    assert result.status_code == 422
    body = result.content.decode()
    assert f'href="#id_{field}"' in body and message in body
    assert "Kept as typed" in body  # what the editor typed is shown back, not lost
    assert Assessment.objects.get(pk=palmira_draft.pk).profile.budget_note != "Kept as typed"


def test_submitting_an_incomplete_assessment_lists_what_is_missing(client, editor_a,
                                                                  palmira_draft):
    client.force_login(editor_a)
    result = client.post(reverse("criteria:assessment-submit", args=[palmira_draft.pk]))
    assert result.status_code == 422
    assert "Criterion 1 (Clear, public mandate) still needs" in result.content.decode()
    assert Assessment.objects.get(pk=palmira_draft.pk).status == "draft"


def test_submit_then_the_secretariat_reviews(client, editor_a, secretariat, complete_draft):
    client.force_login(editor_a)
    assert client.post(reverse("criteria:assessment-submit",
                               args=[complete_draft.pk])).status_code == 302
    response = complete_draft.responses.get(criterion__number=1)
    assert client.post(edit_url(complete_draft, 1), answer(response.version)).status_code == 403

    client.force_login(secretariat)
    queue = client.get(reverse("criteria:review-queue")).content.decode()
    assert reverse("criteria:assessment-review", args=[complete_draft.pk]) in queue
    client.post(reverse("criteria:comment-add", args=[complete_draft.pk]),
                {"response": response.pk, "body": "Add the mandate's date."})
    client.post(reverse("criteria:request-changes", args=[complete_draft.pk]),
                {"note": "Please add dates."})
    assert Assessment.objects.get(pk=complete_draft.pk).status == "changes_requested"

    client.force_login(editor_a)
    page = client.get(edit_url(complete_draft, 1)).content.decode()
    assert "Add the mandate&#x27;s date." in page and "Please add dates." in page
    client.post(reverse("criteria:assessment-submit", args=[complete_draft.pk]))

    client.force_login(secretariat)
    client.post(reverse("criteria:publish", args=[complete_draft.pk]),
                {"make_public": "on", "confirm": "publish"})
    published = Assessment.objects.get(pk=complete_draft.pk)
    assert published.status == "published" and published.is_public


def test_my_assessments_counts_complete_criteria(client, editor_a, palmira_draft):
    for response in palmira_draft.responses.filter(criterion__number__in=[1, 2]):
        fill_response(response, editor_a)
    client.force_login(editor_a)
    page = client.get(reverse("criteria:my-assessments")).content.decode()
    assert "2 of 9" in page
