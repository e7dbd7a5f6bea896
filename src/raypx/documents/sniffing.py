"""What a file is, judged from its bytes (magic numbers), never from the client's claim.

The sniffer is fed the upload as it streams, so the type is known when the last byte is stored
without reading the object back. A DOCX is a ZIP whose local headers (stored uncompressed, in
stream order) name `word/document.xml`; the extractor still verifies the whole file later.
"""

from __future__ import annotations

from pathlib import PurePath

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP = "application/zip"
HTML = "text/html"
MARKDOWN = "text/markdown"
PLAIN = "text/plain"
EXECUTABLE = "application/x-executable"
BINARY = "application/octet-stream"
TEXT_TYPES = {PLAIN, MARKDOWN, HTML}
EXTRACTABLE_TYPES = {*TEXT_TYPES, PDF, DOCX}

HEAD_BYTES = 8192
ZIP_MAGIC = b"PK\x03\x04"
DOCX_PART = b"word/document.xml"
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe")
HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body")
MARKDOWN_SUFFIXES = {".md", ".markdown"}
UTF_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def looks_like_text(head: bytes, complete: bool) -> bool:
    if head.startswith(UTF_BOMS[1:]):  # UTF-16 with a byte-order mark
        return True
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The head may end inside a multi-byte character; only a complete file must decode.
        if complete or exc.start < len(head) - 3:
            return False
        text = head[: exc.start].decode("utf-8")
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f")
    return controls <= len(text) // 100


def looks_like_html(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith(b"<") and any(m in start[:1024] for m in HTML_MARKERS)


class TypeSniffer:
    """Fed every chunk of a file in order; `content_type` names what the bytes are."""

    def __init__(self) -> None:
        self.head = b""
        self.saw_docx_part = False
        self._tail = b""  # the end of the previous chunk, for a name split across chunks
        self.complete = False

    def feed(self, chunk: bytes) -> None:
        if len(self.head) < HEAD_BYTES:
            self.head += chunk[: HEAD_BYTES - len(self.head)]
        if not self.saw_docx_part and self.head.startswith(ZIP_MAGIC):
            window = self._tail + chunk
            self.saw_docx_part = DOCX_PART in window
            self._tail = window[-len(DOCX_PART) :]

    def content_type(self, filename: str | None = None, declared: str | None = None) -> str:
        """The sniffed type; a name or claim only tells Markdown from plain text."""
        head = self.head
        if b"%PDF-" in head[:1024]:
            return PDF
        if head.startswith(ZIP_MAGIC):
            return DOCX if self.saw_docx_part else ZIP
        if head.startswith(EXECUTABLE_MAGIC):
            return EXECUTABLE
        if not looks_like_text(head, complete=self.complete or len(head) < HEAD_BYTES):
            return BINARY
        if looks_like_html(head):
            return HTML
        suffix = PurePath(filename or "").suffix.lower()
        if suffix in MARKDOWN_SUFFIXES or (declared or "").lower().startswith(MARKDOWN):
            return MARKDOWN
        return PLAIN


def sniff(data: bytes, filename: str | None = None, declared: str | None = None) -> str:
    sniffer = TypeSniffer()
    sniffer.feed(data)
    sniffer.complete = True
    return sniffer.content_type(filename, declared)
