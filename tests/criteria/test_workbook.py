"""The offline workbook: download → fill in with openpyxl → upload → preview → confirm.

Nothing is written before the confirm; the confirm writes through the web's own save
functions (history, versions, merges); errors name sheet, row and column; conflicts with
what others saved since the download are shown and must be decided.
"""

import io
import re
import zipfile

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from cities.models import AuditEvent
from criteria import workbook, workflow
from criteria.models import ANSWER_MAX_CHARS, Assessment, CriterionResponse, WorkbookUpload
from tests.conftest import fill_response
from tests.rounds import round_for_office

pytestmark = pytest.mark.django_db


def download(client, assessment, lang=None):
    url = reverse("criteria:workbook-download", args=[assessment.pk])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=lang) if lang else client.get(url)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == workbook.CONTENT_TYPE
    return load_workbook(io.BytesIO(response.content))


def to_bytes(book):
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, assessment, data, name="filled.xlsx"):
    return client.post(reverse("criteria:workbook-upload", args=[assessment.pk]),
                       {"file": SimpleUploadedFile(name, data)})


def preview_url(assessment, pending):
    return reverse("criteria:workbook-preview", args=[assessment.pk, pending.key])


def confirm(client, assessment, pending, **choices):
    page = client.get(preview_url(assessment, pending))
    fingerprint = re.search(r'name="fingerprint" value="([^"]+)"', page.content.decode()).group(1)
    return client.post(preview_url(assessment, pending),
                       {"fingerprint": fingerprint,
                        **{f"choice-{k.replace('__', ':')}": v for k, v in choices.items()}})


def answers_sheet(book):
    return book["Answers"]


def snapshot(assessment):
    return (list(CriterionResponse.objects.filter(assessment=assessment).order_by("pk")
                 .values_list("pk", "version", "level", "current_strengths", "opportunities",
                              "confidence")),
            assessment.profile.__class__.objects.filter(pk=assessment.profile.pk)
            .values_list("version", "budget_currency", "staff_fte").get())


@pytest.fixture
def editor(client, editor_a):
    client.force_login(editor_a)
    return client


def test_the_workbook_reads_well_one_row_per_criterion_with_drop_downs(editor, palmira_draft):
    book = download(editor, palmira_draft)
    assert book.sheetnames[:3] == ["Read me", "Answers", "Office profile"]
    assert book["Lists"].sheet_state == "hidden"
    assert book[workbook.META_SHEET].sheet_state == "veryHidden"
    sheet = answers_sheet(book)
    header = [c.value for c in sheet[1]]
    assert header == ["No.", "Criterion", "Level", "Confidence", "Current strengths",
                      "Opportunities to enhance effectiveness", "Does not apply",
                      "Why it does not apply", "Rubric levels", "Guiding questions"]
    assert [sheet.cell(row=r, column=1).value for r in range(2, 11)] == list(range(1, 10))
    assert sheet["B2"].value.startswith("Clear, public mandate")
    assert "0 — Not in place:" in sheet["I2"].value and "4 — Exemplary:" in sheet["I2"].value
    assert sheet["J2"].value.startswith("• ")
    rules = {str(rule.sqref): rule.formula1 for rule in sheet.data_validations.dataValidation}
    assert rules["C2:C10"] == "'Lists'!$A$1:$A$5"
    assert [c.value for c in book["Lists"]["A"][:5]] == [
        "0 — Not in place", "1 — Emerging", "2 — Developing", "3 — Established",
        "4 — Exemplary"]
    assert sheet.protection.sheet and not sheet["C2"].protection.locked
    assert sheet["I2"].protection.locked
    facts = book["Office profile"]
    assert facts["A2"].value == "Institutional location"
    assert facts.column_dimensions["D"].hidden


def test_the_workbook_is_in_the_readers_language_and_user_text_is_not_translated(
        editor, palmira_draft, editor_a):
    response = palmira_draft.responses.get(criterion__number=1)
    workflow.save_response(response=response, content={"current_strengths": "We publish it"},
                           base_version=response.version, by=editor_a)
    book = download(editor, palmira_draft, lang="es")
    assert book.sheetnames[:3] == ["Léame", "Respuestas", "Perfil de la oficina"]
    sheet = book["Respuestas"]
    assert sheet["C1"].value == "Nivel"
    assert sheet["E2"].value == "We publish it"
    assert book["Listas"]["A2"].value == "1 — Incipiente"


def test_download_is_audited_and_viewers_may_download(client, viewer_a, palmira_draft):
    client.force_login(viewer_a)
    download(client, palmira_draft)
    event = AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).latest("at")
    assert event.target_id == str(palmira_draft.pk)
    assert event.detail.endswith(".xlsx")


def test_round_trip_changes_nothing_until_confirmed(editor, palmira_draft, editor_a):
    book = download(editor, palmira_draft)
    sheet = answers_sheet(book)
    sheet["C2"] = "3 — Established"
    sheet["D2"] = "High"
    sheet["E2"] = "=The mandate is public"  # text that looks like a formula stays text
    sheet["E2"].data_type = "s"
    sheet["F2"] = "Publish yearly reports"
    sheet["G4"] = "Yes"
    sheet["H4"] = "Another agency does this"
    facts = book["Office profile"]
    row = next(r for r in range(2, 40) if facts.cell(row=r, column=4).value == "staff_fte")
    facts.cell(row=row, column=2).value = 12.5
    before = snapshot(palmira_draft)
    result = upload(editor, palmira_draft, to_bytes(book))
    assert result.status_code == 302, result.content.decode()[:2000]
    pending = WorkbookUpload.objects.get(user=editor_a)
    page = editor.get(result["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "3 — Established" in text and "Publish yearly reports" in text
    assert "Another agency does this" in text and "12.5" in text
    assert snapshot(palmira_draft) == before  # the preview wrote nothing

    done = confirm(editor, palmira_draft, pending)
    assert done.status_code == 302 and done["Location"] == palmira_draft.get_absolute_url()
    first = palmira_draft.responses.get(criterion__number=1)
    assert (first.level, first.confidence, first.current_strengths, first.opportunities) == (
        3, "high", "=The mandate is public", "Publish yearly reports")
    assert first.updated_by == editor_a and first.history.first().history_user == editor_a
    third = palmira_draft.responses.get(criterion__number=3)
    assert third.not_applicable and third.level is None
    untouched = palmira_draft.responses.get(criterion__number=2)
    assert untouched.version == 1
    palmira_draft.profile.refresh_from_db()
    assert str(palmira_draft.profile.staff_fte) == "12.5"


def test_a_second_confirm_applies_nothing_more(editor, palmira_draft, editor_a):
    book = download(editor, palmira_draft)
    answers_sheet(book)["F2"] = "Once"
    upload(editor, palmira_draft, to_bytes(book))
    pending = WorkbookUpload.objects.get(user=editor_a)
    page = editor.get(preview_url(palmira_draft, pending)).content.decode()
    fingerprint = re.search(r'name="fingerprint" value="([^"]+)"', page).group(1)
    url = preview_url(palmira_draft, pending)
    assert editor.post(url, {"fingerprint": fingerprint}).status_code == 302
    version = palmira_draft.responses.get(criterion__number=1).version
    again = editor.post(url, {"fingerprint": fingerprint})
    assert again.status_code == 302
    assert palmira_draft.responses.get(criterion__number=1).version == version
    assert palmira_draft.responses.get(criterion__number=1).history.count() == 2


def test_a_row_error_names_sheet_row_column_and_field_and_blocks_saving(
        editor, palmira_draft, editor_a):
    book = download(editor, palmira_draft)
    sheet = answers_sheet(book)
    sheet["F2"] = "Fine text"
    sheet["C3"] = "Very good"
    sheet["F4"] = "x" * (ANSWER_MAX_CHARS + 1)
    sheet["G5"] = "Maybe"
    sheet["C6"] = "=1+1"  # a real formula
    upload(editor, palmira_draft, to_bytes(book))
    pending = WorkbookUpload.objects.get(user=editor_a)
    before = snapshot(palmira_draft)
    page = editor.get(preview_url(palmira_draft, pending)).content.decode()
    rows = re.findall(r'<tr class="cell-error"><td[^>]*>(.*?)</td><td[^>]*>(\d+)</td>'
                      r"<td[^>]*>(\w+)</td><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td></tr>", page)
    found = {(s, int(r), c, f) for s, r, c, f, _m in rows}
    assert ("Answers", 3, "C", "Level") in found
    assert ("Answers", 4, "F", "Opportunities to enhance effectiveness") in found
    assert ("Answers", 5, "G", "Does not apply") in found
    assert ("Answers", 6, "C", "Level") in found
    messages = " ".join(m for *_x, m in rows)
    assert "Choose a level from 0 to 4 of the rubric." in messages
    assert "20000" in messages.replace(",", "") and "formula" in messages
    assert "Save these changes" not in page
    fingerprint = workbook.fingerprint(palmira_draft)
    refused = editor.post(preview_url(palmira_draft, pending), {"fingerprint": fingerprint})
    assert refused.status_code == 422
    assert snapshot(palmira_draft) == before


def test_a_profile_error_points_to_its_row(editor, palmira_draft, editor_a):
    book = download(editor, palmira_draft)
    facts = book["Office profile"]
    rows = {facts.cell(row=r, column=4).value: r for r in range(2, 40)}
    facts.cell(row=rows["budget_amount"], column=2).value = 1000
    facts.cell(row=rows["budget_currency"], column=2).value = ""
    facts.cell(row=rows["institutional_location"], column=2).value = "Somewhere"
    upload(editor, palmira_draft, to_bytes(book))
    pending = WorkbookUpload.objects.get(user=editor_a)
    plan = workbook.plan_upload(pending, palmira_draft, by=editor_a)
    found = {(e["sheet"], e["row"], e["column"], e["field"]) for e in plan.errors}
    assert ("Office profile", rows["budget_currency"], "B", "Budget currency") in found
    assert ("Office profile", rows["institutional_location"], "B",
            "Institutional location") in found
    assert not plan.can_apply


def test_a_conflict_is_shown_three_ways_and_one_sided_changes_merge(
        editor, palmira_draft, editor_a, editor_b, client):
    from cities.models import OfficeMembership
    colleague = editor_b
    OfficeMembership.objects.create(user=colleague, office=palmira_draft.office,
                                    role=OfficeMembership.Role.EDITOR)
    book = download(editor, palmira_draft)
    sheet = answers_sheet(book)
    sheet["E2"] = "Strength from the workbook"
    sheet["F2"] = "Opportunity from the workbook"
    # Meanwhile a colleague saves criterion 1 on the web: the same field, and another one.
    response = palmira_draft.responses.get(criterion__number=1)
    workflow.save_response(response=response,
                           content={"current_strengths": "Strength from the web",
                                    "confidence": "low"},
                           base_version=response.version, by=colleague)
    upload(editor, palmira_draft, to_bytes(book))
    pending = WorkbookUpload.objects.get(user=editor_a)
    page = editor.get(preview_url(palmira_draft, pending)).content.decode()
    assert "Strength from the web" in page and "Strength from the workbook" in page
    assert "When you downloaded it" in page and "Saved by" in page
    assert "Confidence" in page and "their change is kept" in page
    # Not decided yet: refused, nothing written.
    unresolved = confirm(editor, palmira_draft, pending)
    assert unresolved.status_code == 422
    assert "choose which version to keep" in unresolved.content.decode()
    assert palmira_draft.responses.get(criterion__number=1).current_strengths == (
        "Strength from the web")
    done = confirm(editor, palmira_draft, pending, **{"1__current_strengths": "both"})
    assert done.status_code == 302
    saved = palmira_draft.responses.get(criterion__number=1)
    assert saved.current_strengths == "Strength from the web\n\nStrength from the workbook"
    assert saved.opportunities == "Opportunity from the workbook"
    assert saved.confidence == "low"  # only the colleague changed it: kept


def test_a_save_between_preview_and_confirm_shows_the_new_preview(
        editor, palmira_draft, editor_a):
    book = download(editor, palmira_draft)
    answers_sheet(book)["F2"] = "From the workbook"
    upload(editor, palmira_draft, to_bytes(book))
    pending = WorkbookUpload.objects.get(user=editor_a)
    page = editor.get(preview_url(palmira_draft, pending)).content.decode()
    fingerprint = re.search(r'name="fingerprint" value="([^"]+)"', page).group(1)
    other = palmira_draft.responses.get(criterion__number=5)
    fill_response(other, editor_a)
    result = editor.post(preview_url(palmira_draft, pending), {"fingerprint": fingerprint})
    assert result.status_code == 409
    assert "the assessment changed since this preview" in result.content.decode()
    assert palmira_draft.responses.get(criterion__number=1).opportunities == ""


def test_a_tampered_record_is_refused(editor, palmira_draft, editor_a):
    book = download(editor, palmira_draft)
    meta = book[workbook.META_SHEET]
    payload = signing.loads(meta["A1"].value, salt=workbook.SIGNING_SALT)
    payload["r"]["1"][1] = 999  # claim a newer version: would hide a conflict
    forged = signing.dumps(payload, salt=workbook.SIGNING_SALT, key="not-our-key",
                           compress=True)
    meta["A1"] = forged
    result = upload(editor, palmira_draft, to_bytes(book))
    assert result.status_code == 422
    assert "does not match" in result.content.decode()
    assert not WorkbookUpload.objects.exists()


def test_another_assessments_workbook_is_refused(editor, palmira_draft, editor_a):
    from criteria.models import Framework
    published = Assessment.objects.filter(office=palmira_draft.office).exclude(
        pk=palmira_draft.pk).first()
    if published is None:
        published = workflow.start_assessment(office=palmira_draft.office,
                                              framework=Framework.objects.default(),
                                              round=round_for_office(palmira_draft.office, "2031"),
                                              by=editor_a)
    book = download(editor, published)
    result = upload(editor, palmira_draft, to_bytes(book))
    assert result.status_code == 422
    assert "workbook of another assessment" in result.content.decode()


def test_a_workbook_without_our_record_is_refused(editor, palmira_draft):
    from openpyxl import Workbook
    result = upload(editor, palmira_draft, to_bytes(Workbook()))
    assert result.status_code == 422
    assert "not a workbook downloaded from OVP Assess" in result.content.decode()


@pytest.mark.parametrize("name, data, message", [
    ("answers.csv", b"a,b\n1,2\n", "is not an XLSX workbook"),
    ("answers.xlsx", b"%PDF-1.4 not a workbook", "was not accepted as XLSX"),
    ("answers.xlsx", b"", "The submitted file is empty."),
])
def test_files_that_are_not_workbooks_are_refused(editor, palmira_draft, name, data, message):
    result = upload(editor, palmira_draft, data, name=name)
    assert result.status_code == 422
    assert message in result.content.decode().replace("&quot;", '"')
    assert not WorkbookUpload.objects.exists()


def test_a_workbook_with_a_dtd_is_refused(editor, palmira_draft):
    book = download(editor, palmira_draft)
    data = io.BytesIO(to_bytes(book))
    out = io.BytesIO()
    with zipfile.ZipFile(data) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == "xl/workbook.xml":
                content = b'<!DOCTYPE x [<!ENTITY a "b">]>' + content
            target.writestr(entry, content)
    result = upload(editor, palmira_draft, out.getvalue())
    assert result.status_code == 422
    assert not WorkbookUpload.objects.exists()


def test_moved_rows_are_named(editor, palmira_draft, editor_a):
    book = download(editor, palmira_draft)
    answers_sheet(book).delete_rows(3)
    upload(editor, palmira_draft, to_bytes(book))
    plan = workbook.plan_upload(WorkbookUpload.objects.get(user=editor_a), palmira_draft,
                                by=editor_a)
    assert any(e["row"] == 3 and e["column"] == "A" and "should be criterion 2" in e["message"]
               for e in plan.errors)


def test_submitted_assessments_refuse_uploads_with_the_reason(client, complete_draft, editor_a):
    client.force_login(editor_a)
    book = download(client, complete_draft)
    workflow.submit_assessment(assessment=complete_draft, by=editor_a)
    result = upload(client, complete_draft, to_bytes(book))
    assert result.status_code == 403
    assert "submitted, so it can no longer be edited" in result.content.decode()


def test_a_pending_upload_belongs_to_its_uploader(editor, palmira_draft, editor_a, client):
    book = download(editor, palmira_draft)
    upload(editor, palmira_draft, to_bytes(book))
    pending = WorkbookUpload.objects.get(user=editor_a)
    from cities.models import OfficeMembership, User
    other = User.objects.create_user("second-editor", "s@example.org")
    OfficeMembership.objects.create(user=other, office=palmira_draft.office,
                                    role=OfficeMembership.Role.EDITOR)
    client.force_login(other)
    assert client.get(preview_url(palmira_draft, pending)).status_code == 404


def test_the_upload_page_and_preview_in_spanish(editor, palmira_draft, editor_a):
    book = download(editor, palmira_draft, lang="es")
    book["Respuestas"]["C2"] = "2 — En desarrollo"
    book["Respuestas"]["D2"] = "Alta"
    upload(editor, palmira_draft, to_bytes(book))
    pending = WorkbookUpload.objects.get(user=editor_a)
    plan = workbook.plan_upload(pending, palmira_draft, by=editor_a)
    assert not plan.errors
    assert plan.items[0].content == {"level": 2, "confidence": "high", "language": "es"}
