"""Split a document's text into passages for search and grounded answers. Pure and blocking.

Structure first: a chunk never crosses a heading, prefers to end at a paragraph, and breaks a
long paragraph between sentences (Latin and CJK punctuation), a run-on sentence by characters.
Consecutive chunks of one section overlap by whole sentences, so a fact on a boundary is found
whole in at least one chunk. Every chunk is an exact slice of the text (`char_start:char_end`),
so a citation can point back to the passage, and PDF page numbers come from page offsets.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

TARGET_CHARS = 1200
OVERLAP_CHARS = 200
MAX_HEADING_CHARS = 100

PARAGRAPH = re.compile(r"\S(?:.*?\S)?(?=\s*\n\s*\n|\s*\Z)", re.S)
MARKDOWN_HEADING = re.compile(r"(#{1,6})\s+(.+?)\s*#*\s*")
# A sentence ends at . ! ? (plus closing quotes) before a space, or right after CJK full stops
SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)|[。！？；]+[”’」』）]*")
CHAPTER = re.compile(r"(chapter|part|book|section|appendix)\b.*|第.{1,8}[章节回卷部篇].*", re.I)


@dataclass(frozen=True)
class Chunk:
    ordinal: int
    char_start: int
    char_end: int
    content: str
    heading: str | None
    page_start: int | None
    page_end: int | None


@dataclass(frozen=True)
class Unit:
    """A sentence-sized span; `paragraph_end` marks where a paragraph stops."""

    start: int
    end: int
    paragraph_end: bool


@dataclass
class Section:
    heading: str | None
    units: list[Unit]
    has_body: bool = False


def heading_of(block: str) -> tuple[int, str] | None:
    """(level, title) when a paragraph is a heading: Markdown, or a short title-like line."""
    if "\n" in block or len(block) > MAX_HEADING_CHARS:
        return None
    if match := MARKDOWN_HEADING.fullmatch(block):
        return len(match.group(1)), match.group(2)
    if CHAPTER.fullmatch(block) and not block.endswith((".", "。", ",", ";", ":")):
        return 1, block
    words = block.split()
    title_like = block.isupper() or all(w[:1].isupper() or not w[:1].isalpha() for w in words)
    if 0 < len(words) <= 10 and title_like and not block.endswith((".", ",", ";", ":", "?", "!")):
        return 2, block
    return None


def sentence_spans(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    cursor = start
    for match in SENTENCE_END.finditer(text, start, end):
        if match.end() - cursor >= 1:
            yield cursor, match.end()
            cursor = match.end()
            while cursor < end and text[cursor].isspace():
                cursor += 1
    if cursor < end:
        yield cursor, end


def hard_spans(start: int, end: int, size: int) -> Iterator[tuple[int, int]]:
    for offset in range(start, end, size):
        yield offset, min(offset + size, end)


def sections(text: str, target: int) -> list[Section]:
    """Paragraphs grouped under their heading path, split into sentence-sized units."""
    found: list[Section] = [Section(None, [])]
    path: list[tuple[int, str]] = []
    for match in PARAGRAPH.finditer(text):
        block = match.group()
        heading = heading_of(block)
        if heading is not None:
            level, title = heading
            path = [(lvl, t) for lvl, t in path if lvl < level] + [(level, title)]
            if found[-1].has_body or (found[-1].heading is None and found[-1].units):
                found.append(Section(None, []))
            # Headings in a row ("# Book", "## Chapter 1") open one section together.
            found[-1].heading = " > ".join(t for _, t in path)
        else:
            found[-1].has_body = True
        units = found[-1].units
        pieces: list[tuple[int, int]] = []
        for s_start, s_end in sentence_spans(text, match.start(), match.end()):
            pieces += (
                hard_spans(s_start, s_end, target)
                if s_end - s_start > target
                else [(s_start, s_end)]
            )
        units += [Unit(a, b, i == len(pieces) - 1) for i, (a, b) in enumerate(pieces)]
    return [s for s in found if s.units]


def pack(units: list[Unit], target: int, overlap: int) -> Iterator[tuple[int, int]]:
    """(first, last) unit indexes of each chunk: as full as `target` allows, cut at the last
    paragraph end past half the target if there is one, then step back `overlap` characters."""
    first = 0
    while first < len(units):
        last = first
        while last + 1 < len(units) and units[last + 1].end - units[first].start <= target:
            last += 1
        if last + 1 < len(units):
            for candidate in range(last, first, -1):
                enough = units[candidate].end - units[first].start >= target // 2
                if units[candidate].paragraph_end and enough:
                    last = candidate
                    break
        yield first, last
        if last + 1 >= len(units):
            return
        following = last + 1
        while following - 1 > first and units[last].end - units[following - 1].start <= overlap:
            following -= 1
        first = following


def page_of(page_starts: Sequence[int], offset: int) -> int:
    return bisect.bisect_right(page_starts, offset)


def split_chunks(
    text: str,
    page_starts: Sequence[int] | None = None,
    *,
    target: int = TARGET_CHARS,
    overlap: int = OVERLAP_CHARS,
) -> list[Chunk]:
    """The chunks of `text`; `page_starts` are the offsets where PDF pages 1, 2… begin."""
    chunks: list[Chunk] = []
    for section in sections(text, target):
        for first, last in pack(section.units, target, overlap):
            start, end = section.units[first].start, section.units[last].end
            pages = (
                (page_of(page_starts, start), page_of(page_starts, end - 1))
                if page_starts
                else (None, None)
            )
            chunks.append(Chunk(len(chunks), start, end, text[start:end], section.heading, *pages))
    return chunks
