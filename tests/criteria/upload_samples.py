"""Real files of each accepted kind, and hostile ones, made in memory for upload tests."""

import io
import zipfile

from openpyxl import Workbook
from PIL import Image

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

_DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels"'
    ' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="{main}"/></Types>'
)
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def image(fmt="PNG", size=(8, 8)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def xlsx(macro=False):
    buffer = io.BytesIO()
    book = Workbook()
    book.active["A1"] = "homicide rate"
    book.save(buffer)
    if not macro:
        return buffer.getvalue()
    # The same workbook with a VBA project added, as Excel saves an .xlsm renamed to .xlsx.
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\x00" * 512)
    return out.getvalue()


def docx(main=DOCX_MAIN, extra=()):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _DOCX_TYPES.format(main=main))
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document><w:body/></w:document>")
        for name, content in extra:
            archive.writestr(name, content)
    return buffer.getvalue()


def zip_bomb():
    """A DOCX-shaped package with one part that unpacks to 300 MB of zeros (about 300 kB)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _DOCX_TYPES.format(main=DOCX_MAIN))
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            chunk = b"\x00" * (1 << 20)
            for _ in range(300):
                part.write(chunk)
    return buffer.getvalue()
