"""Text extraction throughput of one worker process, in pages per second, for PDF and DOCX,
against the libraries it uses called directly (pypdf, python-docx), in the same run.

Run:  python benchmarks/extraction.py [--pages 50] [--rounds 5]
The files are made here: a PDF of `--pages` pages of text (Helvetica, about 450 words a page)
and a DOCX of as many pages (paragraphs with a page break after every 450 words). Rounds
alternate the two sides; medians are reported. DOCX has no page count of its own, so its pages
are the page breaks written.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable

import docx
from pypdf import PdfReader

from raypx.documents import extraction, sniffing

WORDS = [
    "council",
    "budget",
    "library",
    "transit",
    "park",
    "district",
    "funding",
    "report",
    "approved",
    "project",
    "hearing",
    "vote",
    "mayor",
    "plan",
    "service",
    "north",
    "opponent",
    "forecast",
]
LINES_PER_PAGE, WORDS_PER_LINE = 45, 10


def page_lines(page: int) -> list[str]:
    return [
        " ".join(WORDS[(page * 7 + line * 3 + w) % len(WORDS)] for w in range(WORDS_PER_LINE))
        for line in range(LINES_PER_PAGE)
    ]


def make_pdf(pages: int) -> bytes:
    """A plain PDF 1.4 with one text content stream per page and a correct xref table."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    font = 3
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    kids = []
    for page in range(pages):
        text = b"".join(b"(" + line.encode() + b") Tj 0 -15 Td " for line in page_lines(page))
        stream = b"BT /F1 11 Tf 50 760 Td " + text + b"ET"
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (font, content)
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), pages,
    )  # fmt: skip
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref))  # fmt: skip
    return out.getvalue()


def make_docx(pages: int) -> bytes:
    document = docx.Document()
    for page in range(pages):
        for line in page_lines(page)[::3]:
            document.add_paragraph(" ".join([line] * 3))
        document.add_page_break()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pypdf_alone(data: bytes) -> str:
    return "\n\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def python_docx_alone(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def seconds(call: Callable[[], object]) -> float:
    started = time.process_time()
    call()
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    files = {
        "PDF": (make_pdf(args.pages), sniffing.PDF, pypdf_alone, "pypdf"),
        "DOCX": (make_docx(args.pages), sniffing.DOCX, python_docx_alone, "python-docx"),
    }
    print(f"{args.pages} pages per file, {args.rounds} interleaved rounds, CPU time, medians")
    for kind, (data, content_type, alone, library) in files.items():
        checked = extraction.extract_text(data, content_type)
        assert checked.words > args.pages * 100, f"{kind}: too little text extracted"
        ours, theirs = [], []
        for _ in range(args.rounds):
            ours.append(seconds(lambda: extraction.extract_text(data, content_type)))  # noqa: B023
            theirs.append(seconds(lambda: alone(data)))  # noqa: B023
        ours_rate = args.pages / statistics.median(ours)
        theirs_rate = args.pages / statistics.median(theirs)
        print(
            f"{kind:5} raypx {ours_rate:8.1f} pages/s   {library} alone {theirs_rate:8.1f} pages/s"
            f"   ratio {ours_rate / theirs_rate:.2f}x  ({len(data) / 1024:.0f} KB)"
        )


if __name__ == "__main__":
    main()
