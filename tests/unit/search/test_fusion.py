"""Reciprocal rank fusion of the full-text and vector rankings."""

from __future__ import annotations

import uuid

from raypx.search.fulltext import Hit
from raypx.search.vectors import RRF_K, fuse


def hit(name: str) -> Hit:
    return Hit(uuid.uuid5(uuid.NAMESPACE_DNS, name), uuid.uuid4(), name, 0, None, None, None,
               name, 0.0)  # fmt: skip


def test_a_chunk_both_rankings_like_beats_one_that_only_tops_one() -> None:
    a, b, c = hit("a"), hit("b"), hit("c")
    fused = fuse([[a, b], [c, b]], limit=3)
    assert [h.document_title for h in fused] == ["b", "a", "c"]
    assert fused[0].score == 2 / (RRF_K + 2)
    assert fuse([[a, b], [c, b]], limit=1) == fused[:1]
