"""Vector search: pgvector on the embedded server (it ships the extension), and the system
server without it, where search degrades to full-text and says so. Embedding runs as a job,
metered and idempotent."""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import async_sessionmaker

from raypx.ai.runtime import AIRuntime
from raypx.db import migrate
from raypx.db.embedded import start_embedded
from raypx.search import embedding
from raypx.search import service as search
from tests.conftest import create_database, drop_database
from tests.integration.documents.conftest import docs_api
from tests.integration.jobs.conditions import wait_until
from tests.integration.search.conftest import SearchApi

LIGHTHOUSE = "The lighthouse keeper climbed the tower every evening to light the great lamp."
ORCHARD = "Apples and pears ripen in the orchard; the cider press works all autumn long."
VECTORS = {"embedding_model": "fake:embed"}


@pytest.fixture(scope="module")
def embedded_database() -> Iterator[URL]:
    home = Path(os.environ.get("RAYPX_TEST_HOME", "/tmp/raypx-test-home"))
    server = start_embedded(home, database="postgres")
    name = f"raypx_vec_{os.getpid()}_{secrets.token_hex(4)}"
    url = create_database(server, name)
    migrate.upgrade(url)
    yield url
    drop_database(server, name)


@pytest.fixture
async def vector_api(embedded_database: URL, tmp_path: Path) -> AsyncIterator[SearchApi]:
    async for each in docs_api(embedded_database, tmp_path, **VECTORS):
        yield SearchApi(each.app, each.client, each.engine, each.settings)


@pytest.fixture
async def plain_api(database_url: URL, tmp_path: Path) -> AsyncIterator[SearchApi]:
    async for each in docs_api(database_url, tmp_path, **VECTORS):
        yield SearchApi(each.app, each.client, each.engine, each.settings)


async def embedded(api: SearchApi, document_id: str) -> list[Any]:
    async def probe() -> list[Any]:
        return await api.rows(
            "SELECT r.status, u.quantity FROM run r JOIN usage_event u ON u.run_id = r.id "
            "WHERE r.document_id = :d AND r.feature = 'document-embedding' "
            "AND u.metric = 'ai_tokens'",
            d=uuid.UUID(document_id),
        )

    return await wait_until(probe, within=20, what="the embedding run to be billed")


async def test_hybrid_search_fuses_vector_and_full_text_with_pgvector(
    vector_api: SearchApi,
) -> None:
    api = vector_api
    headers = await api.sign_up()
    lighthouse = await api.processed(headers, LIGHTHOUSE, "lighthouse.txt")
    await api.processed(headers, ORCHARD, "orchard.txt")
    [(status, tokens)] = await embedded(api, lighthouse)
    assert status == "succeeded" and tokens > 10
    assert await api.rows("SELECT extname FROM pg_extension WHERE extname = 'vector'") == [
        ("vector",)
    ]
    stored = await api.rows(
        "SELECT dimensions, cardinality(embedding) FROM chunk_embedding WHERE document_id = :d",
        d=uuid.UUID(lighthouse),
    )
    assert stored == [(64, 64)]

    hybrid = (await api.search(headers, "lighthouse keeper lamp")).json()
    assert (hybrid["mode"], hybrid["notices"]) == ("hybrid", [])
    assert hybrid["results"][0]["document_id"] == lighthouse
    vector = (await api.search(headers, "keepers climbing towers", mode="vector")).json()
    assert vector["mode"] == "vector"
    assert vector["results"][0]["document_id"] == lighthouse
    assert vector["results"][0]["score"] > vector["results"][1]["score"]
    searches = await api.rows("SELECT count(*) FROM run WHERE feature = 'search'")
    assert searches == [(2,)]  # each query's embedding is a billed run


async def test_embedding_is_idempotent_and_bills_once(vector_api: SearchApi) -> None:
    api = vector_api
    headers = await api.sign_up()
    document = await api.processed(headers, LIGHTHOUSE)
    [(_, tokens)] = await embedded(api, document)
    [(run_id,)] = await api.rows(
        "SELECT id FROM run WHERE document_id = :d AND feature = 'document-embedding'",
        d=uuid.UUID(document),
    )
    factory = async_sessionmaker(api.engine, expire_on_commit=False)
    runtime = AIRuntime.from_settings(api.settings)
    replay = await embedding.embed_document(factory, runtime, run_id)
    assert replay == {"skipped": True}
    counts = await api.rows(
        "SELECT (SELECT count(*) FROM chunk_embedding WHERE document_id = :d), "
        "(SELECT sum(quantity) FROM usage_event WHERE run_id = :r AND metric = 'ai_tokens')",
        d=uuid.UUID(document), r=run_id,
    )  # fmt: skip
    assert counts == [(1, tokens)]


async def test_without_pgvector_search_is_full_text_and_says_so(plain_api: SearchApi) -> None:
    api = plain_api
    headers = await api.sign_up()
    document = await api.processed(headers, LIGHTHOUSE)
    await embedded(api, document)  # vectors are stored anyway, ready for when pgvector arrives
    found = (await api.search(headers, "lighthouse", mode="hybrid")).json()
    assert found["mode"] == "fulltext"
    assert found["notices"] == [search.NO_PGVECTOR]
    assert [r["document_id"] for r in found["results"]] == [document]
