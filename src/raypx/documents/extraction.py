"""Plain text from an uploaded file, by its sniffed type. Pure and blocking: run it in a thread.

Every failure becomes `ExtractionFailed` with a stable code, so a broken or unsupported file ends
as a `failed` document with a reason instead of an error somewhere else.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from raypx.documents import sniffing
from raypx.documents.html_text import html_to_text


@dataclass(frozen=True)
class Extraction:
    text: str
    pages: int | None  # PDFs only: other formats have no fixed pages
    extractor: str
    # PDFs only: where page 1, 2… begins in `text` (pages without text begin where the next does)
    page_starts: tuple[int, ...] | None = None

    @property
    def words(self) -> int:
        return len(self.text.split())


class ExtractionFailed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def decode_text(data: bytes) -> str:
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise ExtractionFailed(
            "NOT_UTF8", "the text is not valid UTF-8 (or UTF-16 with BOM)"
        ) from None


def extract_pdf(data: bytes) -> Extraction:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionFailed("ENCRYPTED", "the PDF is password-protected")
        pages = [(page.extract_text() or "").replace("\x00", "").strip() for page in reader.pages]
    except ExtractionFailed:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        # pypdf reports damage through many exception types; all mean "cannot be read".
        raise ExtractionFailed("BROKEN_FILE", f"the PDF cannot be read: {exc}") from None
    starts, offset = [], 0
    for page in pages:
        starts.append(offset)
        if page:
            offset += len(page) + 2  # the blank line joining it to the next page
    text = "\n\n".join(page for page in pages if page)
    return Extraction(text, len(pages), "pypdf", tuple(starts))


def extract_docx(data: bytes) -> Extraction:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ExtractionFailed("BROKEN_FILE", f"the DOCX cannot be read: {exc}") from None
    blocks = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            blocks.append("\t".join(cell.text for cell in row.cells))
    text = "\n".join(block for block in blocks if block.strip())
    return Extraction(text, None, "python-docx")


def extract_text(data: bytes, content_type: str) -> Extraction:
    if content_type == sniffing.PDF:
        extraction = extract_pdf(data)
    elif content_type == sniffing.DOCX:
        extraction = extract_docx(data)
    elif content_type == sniffing.HTML:
        extraction = Extraction(html_to_text(decode_text(data)), None, "html")
    elif content_type in sniffing.TEXT_TYPES:
        extraction = Extraction(decode_text(data).strip(), None, "text")
    else:
        raise ExtractionFailed(
            "UNSUPPORTED_TYPE",
            f"files of type {content_type} are not supported "
            "(plain text, Markdown, HTML, PDF and DOCX are)",
        )
    # PostgreSQL text cannot hold NUL, and some PDFs' text layers contain it.
    text = extraction.text.replace("\x00", "")
    if not text.strip():
        raise ExtractionFailed("NO_TEXT", "the file contains no extractable text")
    return Extraction(text, extraction.pages, extraction.extractor, extraction.page_starts)
