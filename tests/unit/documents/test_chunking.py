"""Structure-aware chunks: headings, paragraphs, overlap, pages, exact slices."""

from __future__ import annotations

import itertools

from raypx.documents.chunking import split_chunks
from raypx.documents.extraction import extract_text
from tests.unit.documents.samples import make_pdf

SENTENCE = "The whale surfaced beside the ship and the crew watched in silence. "


def test_every_chunk_is_an_exact_slice_and_they_cover_the_text() -> None:
    text = "\n\n".join(SENTENCE * 6 for _ in range(8))
    chunks = split_chunks(text, target=600, overlap=150)
    assert len(chunks) > 3
    assert all(text[c.char_start : c.char_end] == c.content for c in chunks)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    assert chunks[0].char_start == 0 and chunks[-1].char_end == len(text.rstrip())
    for before, after in itertools.pairwise(chunks):
        assert after.char_start <= before.char_end  # no gap
    assert all(len(c.content) <= 600 for c in chunks)


def test_neighbours_overlap_by_whole_sentences() -> None:
    text = SENTENCE * 40
    chunks = split_chunks(text, target=500, overlap=150)
    for before, after in itertools.pairwise(chunks):
        shared = before.char_end - after.char_start
        assert 0 < shared <= 150
        assert after.content.startswith("The whale")  # starts at a sentence


def test_a_chunk_never_crosses_a_heading_and_carries_its_section_path() -> None:
    text = (
        "# Moby Dick\n\n## Loomings\n\nCall me Ishmael. " + SENTENCE * 3
        + "\n\n## The Carpet-Bag\n\nI stuffed a shirt or two into my old carpet-bag."
    )  # fmt: skip
    chunks = split_chunks(text)
    assert [c.heading for c in chunks] == ["Moby Dick > Loomings", "Moby Dick > The Carpet-Bag"]
    assert chunks[0].content.startswith("# Moby Dick\n\n## Loomings\n\nCall me Ishmael.")
    assert chunks[1].content.startswith("## The Carpet-Bag")
    assert "carpet-bag" not in chunks[0].content


def test_long_paragraphs_break_between_sentences_also_in_chinese() -> None:
    text = "第一章 总则\n\n" + "天下大势，分久必合，合久必分。" * 200
    chunks = split_chunks(text, target=300, overlap=60)
    assert len(chunks) > 5
    assert all(len(c.content) <= 300 for c in chunks)
    assert all(c.content.endswith("。") for c in chunks)
    assert {c.heading for c in chunks} == {"第一章 总则"}


def test_a_run_on_sentence_is_cut_by_characters() -> None:
    text = "x" * 2500
    chunks = split_chunks(text, target=1000, overlap=0)
    assert [len(c.content) for c in chunks] == [1000, 1000, 500]


def test_pdf_chunks_know_their_pages() -> None:
    pages = [f"Page {n} says: " + SENTENCE * 2 for n in (1, 2, 3)]
    extraction = extract_text(make_pdf(pages), "application/pdf")
    assert extraction.page_starts is not None
    chunks = split_chunks(extraction.text, extraction.page_starts, target=200, overlap=0)
    by_page = {c.page_start: c.content for c in chunks}
    assert set(by_page) == {1, 2, 3}
    assert by_page[2].startswith("Page 2 says")
    assert all(c.page_start == c.page_end for c in chunks)
