"""POST /v1/embeddings with the openai SDK and LangChain: vectors, metering, errors."""

from __future__ import annotations

import math

import httpx
import openai
import pytest
from langchain_openai import OpenAIEmbeddings

from tests.integration.gateway.conftest import Gateway


def test_sdk_embeddings_are_returned_in_order_and_billed_once(gateway: Gateway) -> None:
    with openai.OpenAI(
        base_url=f"{gateway.base_url}/v1", api_key=gateway.sign_up(), max_retries=0
    ) as sdk:
        # The SDK asks for base64 by default and decodes it: both encodings are exercised.
        done = sdk.embeddings.create(model="fake:embed", input=["whale song", "garden roses"])
        floats = sdk.embeddings.create(
            model="fake:embed", input="whale song", encoding_format="float"
        )
        upstream = sdk.embeddings.create(
            model="openai:text-embedding-3-small", input=["one two three"]
        )
        with pytest.raises(openai.NotFoundError):
            sdk.embeddings.create(model="fake:nope", input="x")
        with pytest.raises(openai.BadRequestError):
            sdk.embeddings.create(model="fake:embed", input=[""])
    assert [d.index for d in done.data] == [0, 1]
    first = done.data[0].embedding
    assert len(first) == 64 and math.isclose(sum(v * v for v in first), 1.0, rel_tol=1e-5)
    assert all(
        math.isclose(a, b, rel_tol=1e-5)
        for a, b in zip(first, floats.data[0].embedding, strict=True)
    )
    assert upstream.data[0].embedding[0] == 13.0  # the fake upstream's first number: the length
    assert gateway.upstream.requests[-1]["model"] == "text-embedding-3-small"
    rows = gateway.rows(
        "SELECT r.feature, r.model, u.metric, u.quantity FROM usage_event u "
        "JOIN run r ON r.id = u.run_id WHERE u.metric = 'ai_tokens' ORDER BY r.id"
    )
    assert [(f, m) for f, m, _, _ in rows] == [
        ("embeddings", "fake:embed"), ("embeddings", "fake:embed"),
        ("embeddings", "openai:text-embedding-3-small"),
    ]  # fmt: skip
    assert rows[0][3] == done.usage.total_tokens and rows[2][3] == 3


def test_langchain_embeddings_work_unchanged(gateway: Gateway) -> None:
    with httpx.Client() as http_client:
        embedder = OpenAIEmbeddings(
            base_url=f"{gateway.base_url}/v1", api_key=gateway.sign_up(),  # type: ignore[arg-type]
            model="fake:embed", http_client=http_client, max_retries=0,
            check_embedding_ctx_length=False,  # its default tokenizes with tiktoken (a download)
        )  # fmt: skip
        vectors = embedder.embed_documents(["a lighthouse", "an orchard"])
        query = embedder.embed_query("a lighthouse")
    assert len(vectors) == 2 and len(query) == 64
    assert all(math.isclose(a, b, rel_tol=1e-5) for a, b in zip(vectors[0], query, strict=True))
