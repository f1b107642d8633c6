import pytest

from criteria.models import Assessment

PART4 = ["bristol", "cali", "edmonton", "rosario"]


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Exports write ZIPs under MEDIA_ROOT: keep them out of the project folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def part4(db):
    """The four published Part 4 assessments, by city slug."""
    return {
        a.city.slug: a
        for a in Assessment.objects.filter(round__code="2023", city__slug__in=PART4).select_related(
            "city"
        )
    }


@pytest.fixture
def palmira_draft(db):
    return Assessment.objects.get(office__slug="palmira-security-coexistence", round__code="2026")


def pdf_text(content: bytes, tmp_path, *, raw=False) -> str:
    """The PDF's text as poppler's pdftotext reads it (layout kept, so rows stay together;
    `raw`: in the order it was written, so text set in two columns stays in reading order)."""
    import subprocess

    pdf = tmp_path / "brief.pdf"
    pdf.write_bytes(content)
    out = subprocess.run(  # noqa: S603 - fixed arguments, our own temp file
        ["/usr/bin/pdftotext", *(["-raw"] if raw else []), "-enc", "UTF-8", str(pdf), "-"],
        check=True, capture_output=True,
    )
    return " ".join(out.stdout.decode().split())
