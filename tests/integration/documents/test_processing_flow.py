"""Upload → sniff → extract → summary run → processed, for every supported type, end to end."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import text

from tests.integration.documents.conftest import DocsApi
from tests.integration.jobs.conditions import wait_until
from tests.unit.documents.samples import ARTICLE, make_docx, make_html, make_pdf

CASES = [
    ("notes.txt", "text/plain", ARTICLE.encode(), "text/plain", "text", None),
    ("notes.md", "text/markdown", f"# Budget\n\n{ARTICLE}".encode(), "text/markdown", "text", None),
    ("page.html", "text/html", make_html(ARTICLE), "text/html", "html", None),
    ("report.pdf", "application/pdf", make_pdf([ARTICLE[:90], ARTICLE[90:]]), "application/pdf",
     "pypdf", 2),
    ("memo.docx", "application/octet-stream", make_docx([ARTICLE]),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "python-docx",
     None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("filename", "declared", "data", "sniffed", "extractor", "pages"),
    CASES,
    ids=[c[0] for c in CASES],
)
async def test_each_type_ends_processed_with_summary_and_artifact(
    api: DocsApi,
    filename: str,
    declared: str,
    data: bytes,
    sniffed: str,
    extractor: str,
    pages: int | None,
) -> None:
    headers = await api.sign_up()
    response = await api.upload(headers, data, filename, declared)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["status"] == "uploaded"
    assert created["title"] == filename
    assert created["content_type"] == sniffed
    assert created["size_bytes"] == len(data)

    document = await api.settled(headers, created["id"])
    assert document["status"] == "processed", document["metadata"]
    assert "council" in document["summary"].lower()
    metadata = document["metadata"]
    assert metadata["sha256"] == hashlib.sha256(data).hexdigest()
    assert metadata["original_filename"] == filename
    assert metadata["sniffed_type"] == sniffed
    assert metadata["extractor"] == extractor
    assert metadata["pages"] == pages
    assert metadata["words"] > 20 and metadata["characters"] > 100
    assert "error" not in metadata

    stored = await api.storage.get(metadata["text_key"])
    assert "Maria" in b"".join([c async for c in stored]).decode()
    run = (await api.client.get(f"/api/runs/{metadata['summary_run_id']}", headers=headers)).json()
    assert run["document_id"] == created["id"]
    assert run["feature"] == "document-summary"
    assert [a["kind"] for a in run["artifacts"]] == ["summary"]
    assert run["artifacts"][0]["content"] == document["summary"]


async def test_summarize_endpoint_starts_a_new_run(api: DocsApi) -> None:
    headers = await api.sign_up()
    created = (await api.upload(headers, ARTICLE.encode())).json()
    await api.settled(headers, created["id"])
    response = await api.client.post(
        f"/api/documents/{created['id']}/summarize", headers=headers, json={"model": None}
    )
    assert response.status_code == 202, response.text
    run = response.json()
    assert run["status"] == "queued" and run["document_id"] == created["id"]
    assert run["prompt"].startswith("The city council")


@pytest.mark.parametrize("settings_overrides", [{"summarize_on_upload": False}])
async def test_without_summarize_on_upload_text_is_extracted_but_no_run_starts(
    api: DocsApi,
) -> None:
    headers = await api.sign_up()
    created = (await api.upload(headers, ARTICLE.encode())).json()
    rows = await api.rows(
        "SELECT status FROM job WHERE type = 'documents.process' AND payload->>'document_id' = :id",
        id=created["id"],
    )
    assert len(rows) == 1

    async def metadata() -> dict[str, object]:
        got = await api.client.get(f"/api/documents/{created['id']}", headers=headers)
        return dict(got.json()["metadata"])

    await wait_until(metadata, lambda m: "text_key" in m, what="text extraction")
    assert await api.rows("SELECT id FROM run WHERE document_id = :id", id=created["id"]) == []
    response = await api.client.post(f"/api/documents/{created['id']}/summarize", headers=headers)
    assert response.status_code == 202, response.text
    document = await api.settled(headers, created["id"])
    assert document["status"] == "processed" and document["summary"]


async def test_a_failed_summary_run_fails_the_document_and_a_retry_processes_it(
    api: DocsApi,
) -> None:
    headers = await api.sign_up()
    async with api.engine.begin() as conn:
        await conn.execute(
            text("UPDATE profile SET default_model = 'fake:fail' WHERE user_id = :u"),
            {"u": await api.user_id(headers)},
        )
    created = (await api.upload(headers, ARTICLE.encode())).json()
    document = await api.settled(headers, created["id"])
    assert document["status"] == "failed"
    assert document["metadata"]["error_code"] == "SUMMARY_FAILED"
    assert "permanent failure" in document["metadata"]["error"]

    retry = await api.client.post(
        f"/api/documents/{created['id']}/summarize", headers=headers,
        json={"model": "mock:raypx-1"},
    )  # fmt: skip
    assert retry.status_code == 202, retry.text

    async def probe() -> dict[str, Any]:
        got = await api.client.get(f"/api/documents/{created['id']}", headers=headers)
        return dict(got.json())

    done = await wait_until(probe, lambda d: d["status"] == "processed", what="re-summary")
    assert done["summary"] and "error" not in done["metadata"]
    assert done["metadata"]["summary_run_id"] == retry.json()["id"]
