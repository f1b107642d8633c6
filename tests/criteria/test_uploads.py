"""Evidence uploads are parsed, not sniffed: hostile files are refused with a reason."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from criteria.uploads import check_upload

from .upload_samples import DOCM_MAIN, PDF, docx, image, xlsx, zip_bomb


def check(name, content):
    return check_upload(SimpleUploadedFile(name, content))


@pytest.mark.parametrize(("name", "content"), [
    ("budget.pdf", PDF),
    ("sheet.xlsx", xlsx()),
    ("plan.docx", docx()),
    ("chart.png", image("PNG")),
    ("photo.jpg", image("JPEG")),
    ("rates.csv", "año,tasa\n2022,42,9\n".encode()),
    ("latin.csv", "año,tasa\n".encode("latin-1")),
])
def test_real_files_of_each_kind_are_accepted(name, content):
    assert check(name, content).label


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("bomb.docx", zip_bomb(), "zip bomb"),
    ("macros.xlsx", xlsx(macro=True), "macros"),
    ("macros.docx", docx(main=DOCM_MAIN), "macros"),
    ("fake.docx", xlsx(), "not a DOCX document"),
    ("fake.xlsx", docx(), "not a XLSX document"),
    ("zeros.docx", b"PK\x03\x04" + b"\x00" * 40, "not a valid DOCX package"),
    ("prefixed.docx", b"<html><script>x</script></html>" + docx(), "not a valid DOCX package"),
    ("polyglot.pdf", PDF + b"<html><script>alert(1)</script></html>", "markup"),
    ("tail.pdf", PDF + b"garbage after the end", "after the end"),
    ("cut.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n", "end marker"),
    ("page.pdf", b"<!DOCTYPE html><script>alert(1)</script>", "markup"),
    ("polyglot.png", image("PNG") + b"<html><body onload=x>", "markup"),
    ("comment.jpg", image("JPEG").replace(b"\xff\xd9", b"\xff\xfe\x00\x10<script>x</scri\xff\xd9"),
     "markup"),
    ("tail.png", image("PNG") + b"PK\x03\x04 hidden archive", "after the end"),
    ("gif.png", b"GIF89a" + b"\x00" * 40, "not a readable PNG"),
    ("zeros.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "not a readable PNG"),
    ("jpeg.png", image("JPEG"), "not a PNG"),
    ("page.csv", b"name\n<svg onload=alert(1)>", "markup"),
    ("binary.csv", b"a,b\n\x00\x01", "binary"),
])
def test_hostile_files_are_refused_saying_why(name, content, reason):
    with pytest.raises(ValidationError) as refused:
        check(name, content)
    message = refused.value.messages[0]
    assert name in message and reason in message, message


@pytest.mark.django_db
def test_a_long_file_name_is_kept_up_to_255_characters(client, editor_a, palmira_draft):
    from criteria.models import Evidence

    client.force_login(editor_a)
    name = "Presupuesto municipal " + "x" * 300 + ".pdf"
    url = reverse("criteria:evidence-add", args=[palmira_draft.pk, 6])
    response = client.post(url, {"kind": "document", "title": "Budget", "strength": "documented",
                                 "file": SimpleUploadedFile(name, PDF)})
    assert response.status_code == 302
    stored = Evidence.objects.get(title="Budget").original_name
    assert len(stored) == 255
    assert stored.startswith("Presupuesto municipal") and stored.endswith(".pdf")
