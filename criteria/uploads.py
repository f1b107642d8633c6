"""What evidence files we accept: checked by name, by size, and by parsing what the bytes are.

Every accepted type is parsed, not sniffed: an office package (DOCX, XLSX) must be a sound
ZIP whose parts decompress within limits and whose content types declare a document of its
kind, without macros; a PDF must have a PDF header and end; an image must decode. Any file
that carries HTML or script markup is refused, whatever its name: it could be a polyglot that a
browser or a viewer renders as a page.
"""

import io
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Office packages: everything inside, decompressed, at most this much and this many times the
# package's own size (real documents stay far below; a zip bomb does not).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_UNPACK_RATIO = 100
MAX_PACKAGE_ENTRIES = 10_000
# Django shortens longer upload names to 255 characters, keeping the extension.
MAX_NAME_LENGTH = 255


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

# The main part an office package of each kind must declare in [Content_Types].xml.
_OOXML_MAIN = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
_CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"

# Markup that must never be in an accepted file: a browser could be talked into rendering it.
_MARKUP_MARKERS = (b"<!doctype html", b"<html", b"<script", b"<svg", b"<body", b"<iframe",
                   b"<object", b"<embed", b"javascript:")


class Refused(Exception):
    """Why a file is not what its name says (a message for the person who uploaded it)."""

    def __init__(self, message, **params):
        super().__init__(message)
        self.message, self.params = message, params


def _read_all(file):
    file.seek(0)
    data = file.read()
    file.seek(0)
    return data


def _has_markup(data):
    lowered = data.lower()
    return any(marker in lowered for marker in _MARKUP_MARKERS)


def _check_package(suffix, data):
    if not data.startswith(b"PK\x03\x04"):
        raise Refused(_("it is not a valid %(label)s package"))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Refused(_("it is not a valid %(label)s package")) from None
    with archive:
        if _has_markup(archive.comment):
            raise Refused(_("it contains web-page markup (HTML or script)"))
        entries = archive.infolist()
        if len(entries) > MAX_PACKAGE_ENTRIES:
            raise Refused(_("it holds too many parts (%(n)s)"), n=len(entries))
        names = {e.filename for e in entries}
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            raise Refused(_("it contains macros, which are not accepted; save it without macros"))
        limit = min(MAX_UNPACKED_BYTES, max(len(data), 1) * MAX_UNPACK_RATIO)
        unpacked = 0
        content_types = b""
        try:
            for entry in entries:
                # Read every part: the sizes in the directory can lie, the bytes cannot, and
                # reading to the end checks each part's CRC.
                with archive.open(entry) as part:
                    while chunk := part.read(1 << 16):
                        unpacked += len(chunk)
                        if unpacked > limit:
                            raise Refused(_("it unpacks to far more than its size (a zip bomb?)"))
                        if entry.filename == "[Content_Types].xml":
                            content_types += chunk
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
            raise Refused(_("it is not a valid %(label)s package")) from None
    if not content_types or b"<!doctype" in content_types.lower() or b"<!entity" in (
        content_types.lower()
    ):
        raise Refused(_("it is not a valid %(label)s package"))
    try:
        root = ElementTree.fromstring(content_types)  # noqa: S314 - no DTDs (checked above)
    except ElementTree.ParseError:
        raise Refused(_("it is not a valid %(label)s package")) from None
    declared = {
        el.get("ContentType", "").lower()
        for el in root.iter()
        if el.tag in {f"{_CONTENT_TYPES_NS}Override", f"{_CONTENT_TYPES_NS}Default"}
    }
    if any("macroenabled" in t or "vbaproject" in t for t in declared):
        raise Refused(_("it contains macros, which are not accepted; save it without macros"))
    if _OOXML_MAIN[suffix] not in declared:
        raise Refused(_("it is an office package, but not a %(label)s document"))


def _check_pdf(data):
    if not data.startswith(b"%PDF-"):
        raise Refused(_("it does not start as a PDF does"))
    end = data.rfind(b"%%EOF")
    if end < 0:
        raise Refused(_("it has no PDF end marker; the file may be cut short"))
    if data[end + 5:].strip():
        raise Refused(_("it has data after the end of the PDF"))


def _check_image(suffix, data):
    expected = "PNG" if suffix == ".png" else "JPEG"
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != expected:
                raise Refused(_("it is not a %(label)s image"))
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        raise Refused(_("it is not a readable %(label)s image")) from None
    if expected == "PNG":
        end = data.rfind(b"IEND")
        trailing = data[end + 8:] if end >= 0 else data
    else:
        end = data.rfind(b"\xff\xd9")
        trailing = data[end + 2:] if end >= 0 else data
    if trailing.strip(b"\x00\r\n "):
        raise Refused(_("it has data after the end of the image"))


def _check_csv(data):
    # Any bytes read as text in some encoding (UTF-8, or Latin-1 for older exports); a NUL
    # byte does not occur in text.
    if b"\x00" in data:
        raise Refused(_("it contains binary data"))


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
    data = _read_all(file)
    try:
        if suffix in _OOXML_MAIN:
            _check_package(suffix, data)
        elif _has_markup(data):
            raise Refused(_("it contains web-page markup (HTML or script)"))
        elif suffix == ".pdf":
            _check_pdf(data)
        elif suffix in {".png", ".jpg", ".jpeg"}:
            _check_image(suffix, data)
        else:
            _check_csv(data)
    except Refused as refused:
        reason = refused.message % {"label": kind.label, **refused.params}
        raise ValidationError(
            _("“%(name)s” was not accepted as %(label)s: %(reason)s."),
            params={"name": name, "label": kind.label, "reason": reason},
            code="file_content",
        ) from None
    return kind
