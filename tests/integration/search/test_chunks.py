"""Processing a document stores its chunks; they follow the document and the user."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import async_sessionmaker

from raypx.search import indexing
from tests.integration.ai.test_ai_cli import raypx
from tests.integration.search.conftest import SearchApi
from tests.unit.documents.samples import make_pdf

BOOK = (
    "# Walden\n\n## Economy\n\n"
    + "I went to the woods because I wished to live deliberately. " * 40
)


async def test_processing_stores_chunks_with_headings_language_and_vectors(api: SearchApi) -> None:
    headers = await api.sign_up()
    document_id = await api.processed(headers, BOOK, "walden.md")
    rows = await api.rows(
        "SELECT ordinal, heading, language, token_count, search_vector::text, content "
        "FROM document_chunk WHERE document_id = :d ORDER BY ordinal",
        d=uuid.UUID(document_id),
    )
    assert len(rows) >= 2
    assert all(r.heading == "Walden > Economy" and r.language == "english" for r in rows)
    assert all(r.token_count > 0 for r in rows)
    assert "'deliber'" in rows[0].search_vector and "'walden':1a" in rows[0].search_vector.lower()
    document = (await api.client.get(f"/api/documents/{document_id}", headers=headers)).json()
    assert document["metadata"]["chunks"] == len(rows)


async def test_pdf_chunks_carry_page_numbers(api: SearchApi) -> None:
    headers = await api.sign_up()
    pdf = make_pdf([f"Page {n}: the harbour master logged ship number {n}." for n in (1, 2, 3)])
    response = await api.upload(headers, pdf, "log.pdf", "application/pdf")
    document = await api.settled(headers, response.json()["id"])
    rows = await api.rows(
        "SELECT page_start, page_end FROM document_chunk WHERE document_id = :d",
        d=uuid.UUID(document["id"]),
    )
    assert rows == [(1, 3)]  # a short text is one chunk spanning the three pages


async def test_rechunking_replaces_and_deleting_the_document_removes_them(api: SearchApi) -> None:
    headers = await api.sign_up()
    document_id = uuid.UUID(await api.processed(headers, BOOK))
    user_id = await api.user_id(headers)
    count = "SELECT count(*) FROM document_chunk WHERE document_id = :d"
    (before,) = (await api.rows(count, d=document_id))[0]
    factory = async_sessionmaker(api.engine, expire_on_commit=False)
    prepared = indexing.prepare_chunks(BOOK, None)
    async with factory() as session, session.begin():
        await indexing.replace_chunks(
            session, document_id=document_id, user_id=user_id, prepared=prepared
        )
    assert (await api.rows(count, d=document_id))[0][0] == before == len(prepared)

    response = await api.client.delete(f"/api/documents/{document_id}", headers=headers)
    assert response.status_code == 204
    assert (await api.rows(count, d=document_id))[0][0] == 0


async def test_reindex_chunks_documents_processed_before_search(
    api: SearchApi, database_url: URL
) -> None:
    headers = await api.sign_up()
    pdf = make_pdf([f"Page {n}: the harbour master logged ship number {n}." for n in (1, 2)])
    response = await api.upload(headers, pdf, "log.pdf", "application/pdf")
    document = (await api.settled(headers, response.json()["id"]))["id"]
    async with api.engine.begin() as conn:  # as if processed before migration 0002
        await conn.execute(text("DELETE FROM document_chunk"))
    assert (await api.search(headers, "harbour")).json()["results"] == []
    email = (await api.client.get("/api/me", headers=headers)).json()["user"]["email"]
    home = {"RAYPX_HOME": str(api.settings.home)}  # where the app keeps the files
    done = await raypx(database_url, "reindex", "--user", email, env=home)
    assert done.returncode == 0, done.stderr
    assert "1 of 1 document(s) chunked" in done.stdout
    [hit] = (await api.search(headers, "harbour")).json()["results"]
    assert (hit["document_id"], hit["page_start"], hit["page_end"]) == (document, 1, 2)
    again = await raypx(database_url, "reindex", "--user", email, env=home)
    assert "0 of 0 document(s) chunked" in again.stdout  # only documents without chunks
