"""Text extraction and type sniffing on files made in the test."""

from __future__ import annotations

import pytest

from raypx.documents import sniffing
from raypx.documents.extraction import ExtractionFailed, extract_text
from raypx.documents.html_text import html_to_text
from tests.fakes.archive_bomb import docx_bomb, lying_docx_bomb
from tests.unit.documents.samples import (
    ARTICLE,
    ELF_HEADER,
    make_docx,
    make_html,
    make_pdf,
    make_zip,
)


def test_pdf_text_and_pages() -> None:
    data = make_pdf([ARTICLE[:80], "Second page (with parentheses)"])
    assert sniffing.sniff(data) == sniffing.PDF
    extraction = extract_text(data, sniffing.PDF)
    assert extraction.pages == 2
    assert extraction.extractor == "pypdf"
    assert "city council" in extraction.text
    assert "(with parentheses)" in extraction.text


def test_docx_paragraphs_and_tables() -> None:
    data = make_docx(["First paragraph.", ARTICLE])
    assert sniffing.sniff(data) == sniffing.DOCX
    extraction = extract_text(data, sniffing.DOCX)
    assert extraction.extractor == "python-docx"
    assert "First paragraph." in extraction.text
    assert "$4.2 million" in extraction.text
    assert extraction.pages is None


def test_html_keeps_text_and_drops_code() -> None:
    data = make_html("Three new <b>libraries</b> &amp; bus service.")
    assert sniffing.sniff(data, declared="text/plain") == sniffing.HTML
    text = extract_text(data, sniffing.HTML).text
    assert "Budget news" in text
    assert "Three new libraries & bus service." in text
    assert "alert" not in text and "color" not in text and "enable js" not in text


def test_html_blocks_become_lines() -> None:
    assert html_to_text("<p>one</p><p>two<br>three</p>") == "one\n\ntwo\nthree"


@pytest.mark.parametrize(
    ("data", "filename", "declared", "expected"),
    [
        (b"# Title\n\nsome *markdown*", "notes.md", None, sniffing.MARKDOWN),
        (b"# Title", "notes.txt", "text/markdown", sniffing.MARKDOWN),
        (b"plain words", "a.txt", "application/pdf", sniffing.PLAIN),
        ("caf\u00e9 \u2014 na\u00efve".encode(), None, None, sniffing.PLAIN),
        (b"\xef\xbb\xbfwith a BOM", None, None, sniffing.PLAIN),
        (ELF_HEADER, "report.pdf", "application/pdf", sniffing.EXECUTABLE),
        (b"MZ\x90\x00\x03" + bytes(100), "x.pdf", None, sniffing.EXECUTABLE),
        (bytes(range(256)) * 4, "junk.txt", "text/plain", sniffing.BINARY),
        (make_zip({"a.txt": b"hello"}), "x.docx", sniffing.DOCX, sniffing.ZIP),
        (b"  <html><body>x</body></html>", None, None, sniffing.HTML),
    ],
)
def test_sniffing_trusts_bytes_not_names(
    data: bytes, filename: str | None, declared: str | None, expected: str
) -> None:
    assert sniffing.sniff(data, filename, declared) == expected


def test_docx_marker_split_across_chunks_is_found() -> None:
    data = make_docx(["x"])
    at = data.index(sniffing.DOCX_PART) + 5
    sniffer = sniffing.TypeSniffer()
    for piece in (data[:at], data[at:]):
        sniffer.feed(piece)
    assert sniffer.content_type() == sniffing.DOCX


def test_multibyte_character_cut_by_the_head_is_still_text() -> None:
    data = b"a" * (sniffing.HEAD_BYTES - 1) + "\u00e9 more".encode()
    sniffer = sniffing.TypeSniffer()
    sniffer.feed(data)
    assert sniffer.content_type() == sniffing.PLAIN


@pytest.mark.parametrize(
    ("data", "content_type", "code"),
    [
        (make_pdf([ARTICLE])[:300], sniffing.PDF, "BROKEN_FILE"),
        (b"%PDF-1.4\n garbage garbage", sniffing.PDF, "BROKEN_FILE"),
        (make_zip({"word/document.xml": b"<not really>"}), sniffing.DOCX, "BROKEN_FILE"),
        (make_zip({"a.txt": b"hi"}), sniffing.ZIP, "UNSUPPORTED_TYPE"),
        (ELF_HEADER, sniffing.EXECUTABLE, "UNSUPPORTED_TYPE"),
        (b"   \n\t ", sniffing.PLAIN, "NO_TEXT"),
        (make_pdf([""]), sniffing.PDF, "NO_TEXT"),
        (b"\xff\xfe\x00", sniffing.PLAIN, "NOT_UTF8"),
    ],
)
def test_broken_or_unsupported_files_fail_with_a_code(
    data: bytes, content_type: str, code: str
) -> None:
    with pytest.raises(ExtractionFailed) as failure:
        extract_text(data, content_type)
    assert failure.value.code == code
    assert failure.value.message


def test_nul_characters_are_dropped() -> None:
    assert extract_text(b"a\x00b text", sniffing.PLAIN).text == "ab text"


@pytest.mark.parametrize(
    ("inflated_mib", "expected"),
    [
        (200, "would inflate to more than 100 MiB"),  # by the sizes declared
        (40, "expands more than 100 times"),  # within the sizes, but not a document
    ],
    ids=["too-large", "ratio"],
)
def test_zip_bombs_are_refused_with_a_code(inflated_mib: int, expected: str) -> None:
    bomb = docx_bomb(inflated_mib)
    assert sniffing.sniff(bomb) == sniffing.DOCX
    with pytest.raises(ExtractionFailed) as failure:
        extract_text(bomb, sniffing.DOCX)
    assert failure.value.code == "ARCHIVE_TOO_LARGE"
    assert expected in failure.value.message


def test_an_archive_lying_about_its_sizes_is_read_in_bounded_steps() -> None:
    # Declared 1 KiB, 64 MiB inside: what comes out is checked, so it is broken, not a crash.
    with pytest.raises(ExtractionFailed) as failure:
        extract_text(lying_docx_bomb(64), sniffing.DOCX)
    assert failure.value.code == "BROKEN_FILE"


def test_an_archive_of_too_many_files_is_refused() -> None:
    files = {f"word/media/{i}.xml": b"" for i in range(10_001)}
    data = make_zip({"word/document.xml": b"<w:document/>", **files})
    with pytest.raises(ExtractionFailed) as failure:
        extract_text(data, sniffing.DOCX)
    assert failure.value.code == "ARCHIVE_TOO_LARGE"
