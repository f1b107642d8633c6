"""What evidence files we accept: checked by name, by size, and by what the bytes really are."""

import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str


ALLOWED = {
    ".pdf": FileKind("PDF", "application/pdf"),
    ".docx": FileKind(
        "DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    ".xlsx": FileKind("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".csv": FileKind("CSV", "text/csv"),
    ".png": FileKind("PNG", "image/png"),
    ".jpg": FileKind("JPEG", "image/jpeg"),
    ".jpeg": FileKind("JPEG", "image/jpeg"),
}
ALLOWED_LABEL = "PDF, DOCX, XLSX, CSV, PNG, JPEG"

# Markup that must never be accepted as "CSV": a browser could be talked into rendering it.
_MARKUP_MARKERS = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe")


def _ooxml_has(file, folder):
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False
    finally:
        file.seek(0)
    return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)


def _looks_like(suffix, head, file):
    if suffix == ".pdf":
        return head.startswith(b"%PDF-")
    if suffix == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if suffix in {".jpg", ".jpeg"}:
        return head.startswith(b"\xff\xd8\xff")
    if suffix == ".docx":
        return head.startswith(b"PK\x03\x04") and _ooxml_has(file, "word/")
    if suffix == ".xlsx":
        return head.startswith(b"PK\x03\x04") and _ooxml_has(file, "xl/")
    if suffix == ".csv":
        if b"\x00" in head:
            return False
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            try:
                head.decode("latin-1")
            except UnicodeDecodeError:
                return False
        lowered = head.lower()
        return not any(marker in lowered for marker in _MARKUP_MARKERS)
    return False


def check_upload(file):
    """Return the FileKind of an acceptable upload, or raise ValidationError saying why not."""
    name = file.name or ""
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    kind = ALLOWED.get(suffix)
    if kind is None:
        raise ValidationError(
            _("“%(name)s” is not an accepted file type. Upload one of: %(allowed)s."),
            params={"name": name, "allowed": ALLOWED_LABEL},
            code="file_type",
        )
    if file.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("“%(name)s” is %(size).1f MB; files may be at most 20 MB."),
            params={"name": name, "size": file.size / 1024 / 1024},
            code="file_size",
        )
    if file.size == 0:
        raise ValidationError(_("“%(name)s” is empty."), params={"name": name}, code="empty")
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    if not _looks_like(suffix, head, file):
        raise ValidationError(
            _("“%(name)s” is named %(label)s but its content is not a %(label)s file."),
            params={"name": name, "label": kind.label},
            code="file_content",
        )
    return kind
