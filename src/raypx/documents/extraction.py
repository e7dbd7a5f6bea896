"""Plain text from an uploaded file, by its sniffed type. Pure and blocking: run it off the loop.

Every failure becomes `ExtractionFailed` with a stable code, so a broken or unsupported file ends
as a `failed` document with a reason instead of an error somewhere else.

ZIP-based formats are checked before any parser inflates them: a 1 MB archive can expand to
gigabytes. The sizes the central directory declares are checked first (cheap), then every member
is inflated once in bounded chunks and counted, since declared sizes can lie, into an
uncompressed copy. The parser reads that copy: zipfile's own `read()` inflates a member's whole
compressed stream in one call, so a member declaring 1 KiB (with the checksum of its first KiB)
would otherwise still expand to everything it holds.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import IO

from raypx.documents import sniffing
from raypx.documents.html_text import html_to_text

MIB = 1024 * 1024
MAX_INFLATED_BYTES = 100 * MIB  # all members together: far above any real text document
MAX_MEMBER_BYTES = 50 * MIB
MAX_MEMBERS = 10_000
# Office XML compresses 5-30x; a member past 100x (and past 1 MiB) is a bomb, not a document.
MAX_RATIO = 100
RATIO_FLOOR = 1 * MIB
READ_CHUNK = 256 * 1024


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

    def __reduce__(self) -> tuple[type[ExtractionFailed], tuple[str, str]]:
        return ExtractionFailed, (self.code, self.message)  # it crosses from the offload pool


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


def too_large(what: str, limit: int) -> ExtractionFailed:
    return ExtractionFailed(
        "ARCHIVE_TOO_LARGE",
        f"{what} would inflate to more than {limit // MIB} MiB; such files are refused "
        "(they exhaust memory: a zip bomb)",
    )


def stored_copy(data: bytes, kind: str) -> bytes:
    """The archive re-written uncompressed from bounded reads (see the module docstring)."""
    out = io.BytesIO()
    try:
        with (
            zipfile.ZipFile(io.BytesIO(data)) as archive,
            zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy,
        ):
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) > MAX_MEMBERS:
                raise ExtractionFailed(
                    "ARCHIVE_TOO_LARGE", f"the {kind} holds more than {MAX_MEMBERS} files"
                )
            if len({m.filename for m in members}) != len(members):
                raise ExtractionFailed("BROKEN_FILE", f"the {kind} names a file twice")
            check_declared_sizes(members, kind)
            total = 0
            for member in members:
                with copy.open(member.filename, "w") as target:
                    total = inflate_counting(archive, member, total, kind, target)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise ExtractionFailed("BROKEN_FILE", f"the {kind} cannot be read: {exc}") from None
    return out.getvalue()


def check_declared_sizes(members: list[zipfile.ZipInfo], kind: str) -> None:
    if sum(m.file_size for m in members) > MAX_INFLATED_BYTES:
        raise too_large(f"the {kind}", MAX_INFLATED_BYTES)
    for member in members:
        if member.file_size > MAX_MEMBER_BYTES:
            raise too_large(f"{member.filename!r} in the {kind}", MAX_MEMBER_BYTES)
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * member.compress_size:
            raise ratio_too_high(member.filename, kind)


def ratio_too_high(name: str, kind: str) -> ExtractionFailed:
    return ExtractionFailed(
        "ARCHIVE_TOO_LARGE",
        f"{name!r} in the {kind} expands more than {MAX_RATIO} times; such files are refused "
        "(a zip bomb)",
    )


def inflate_counting(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, total: int, kind: str, target: IO[bytes]
) -> int:
    """Inflate one member into `target` in bounded chunks, counting what actually comes out."""
    produced = 0
    with archive.open(member) as stream:
        while chunk := stream.read(READ_CHUNK):
            target.write(chunk)
            produced += len(chunk)
            total += len(chunk)
            if produced > MAX_MEMBER_BYTES:
                raise too_large(f"{member.filename!r} in the {kind}", MAX_MEMBER_BYTES)
            if total > MAX_INFLATED_BYTES:
                raise too_large(f"the {kind}", MAX_INFLATED_BYTES)
            if produced > RATIO_FLOOR and produced > MAX_RATIO * max(member.compress_size, 1):
                raise ratio_too_high(member.filename, kind)
    return total


def extract_docx(data: bytes) -> Extraction:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import LxmlError  # type: ignore[import-untyped]

    copy = stored_copy(data, "DOCX")
    try:
        document = docx.Document(io.BytesIO(copy))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, LxmlError) as exc:
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
