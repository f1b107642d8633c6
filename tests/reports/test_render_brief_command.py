import pytest
from django.core.management import CommandError, call_command

from .conftest import pdf_text

pytestmark = pytest.mark.django_db


def test_render_brief_writes_a_pdf(part4, tmp_path):
    out = tmp_path / "cali.pdf"
    call_command("render_brief", str(part4["cali"].pk), "--output", str(out), stdout=None)
    content = out.read_bytes()
    assert content.startswith(b"%PDF")
    assert "Current strengths and opportunities" in pdf_text(content, tmp_path)


def test_render_brief_writes_standalone_html(part4, tmp_path):
    out = tmp_path / "cali.html"
    call_command("render_brief", str(part4["cali"].pk), "--format", "html", "--lang", "es",
                 "--output", str(out))
    html = out.read_text()
    assert '<html lang="es">' in html
    assert "<svg" in html
    assert ".so-table {" in html  # stylesheet inlined: the file opens anywhere
    assert "/static/reports/brief.css" not in html


@pytest.mark.parametrize("args,message", [
    (["99999"], "No assessment with id 99999"),
    (["1", "--lang", "xx"], "--lang 'xx' is not one of"),
])
def test_render_brief_refuses_bad_input(tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("render_brief", *args, "--output", str(tmp_path / "x.pdf"))
