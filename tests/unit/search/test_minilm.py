"""The numpy all-MiniLM-L6-v2 encoder reproduces the model (only where the optional
local-embeddings extra and the weights package are installed)."""

from __future__ import annotations

import pytest

from raypx.embeddings import minilm

pytestmark = pytest.mark.skipif(not minilm.available(), reason="local-embeddings not installed")


def test_similar_sentences_score_as_the_reference_model_does() -> None:
    vectors, tokens = minilm.embed_texts(
        ["A man is eating food.", "A man is eating a piece of bread.", "A man is riding a horse."]
    )
    assert len(vectors[0]) == 384 and tokens > 20

    def cosine(a: list[float], b: list[float]) -> float:
        return sum(x * y for x, y in zip(a, b, strict=True))

    # sentence-transformers reports 0.7553 for the first pair with the PyTorch model.
    assert cosine(vectors[0], vectors[1]) == pytest.approx(0.755, abs=0.01)
    assert cosine(vectors[0], vectors[2]) < 0.3
