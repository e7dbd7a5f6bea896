"""Size limits while streaming, plan quotas, and delete: nothing is left behind or miscounted."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.integration.documents.conftest import DocsApi
from tests.integration.documents.test_bad_input import stored_files
from tests.integration.jobs.conditions import wait_until
from tests.unit.documents.samples import ARTICLE

SMALL_FILES = {"plan_limits": json.dumps({"free": {"max_file_bytes": 2000}})}
TWO_DOCUMENTS = json.dumps({"free": {"documents": 2}})


def multipart(data: bytes) -> bytes:
    return (
        b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\n" + data + b"\r\n--b0undary--\r\n"
    )


async def trickle(body: bytes, size: int = 512) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def assert_nothing_stored(api: DocsApi) -> None:
    assert await api.rows("SELECT id FROM document") == []
    assert await api.rows("SELECT id FROM usage_event") == []
    assert await api.rows("SELECT id FROM job WHERE type = 'documents.process'") == []
    assert stored_files(api) == []


@pytest.mark.parametrize("settings_overrides", [SMALL_FILES])
async def test_oversized_upload_is_413_and_leaves_nothing(api: DocsApi) -> None:
    headers = await api.sign_up()
    response = await api.upload(headers, b"x" * 2001)
    assert response.status_code == 413
    assert response.json()["code"] == "FILE_TOO_LARGE"
    assert response.json()["message"]
    await assert_nothing_stored(api)


@pytest.mark.parametrize("settings_overrides", [SMALL_FILES])
async def test_limit_holds_while_streaming_without_a_content_length(api: DocsApi) -> None:
    headers = await api.sign_up()
    seen: list[int] = []
    body = multipart(b"y" * 200_000)

    async def counted() -> AsyncIterator[bytes]:
        async for chunk in trickle(body):
            seen.append(len(chunk))
            yield chunk

    response = await api.client.post(
        "/api/documents",
        headers={**headers, "Content-Type": "multipart/form-data; boundary=b0undary"},
        content=counted(),
    )
    assert response.status_code == 413
    assert response.json()["code"] == "FILE_TOO_LARGE"
    await assert_nothing_stored(api)
    # Refused after about the limit, not after the 200 KB body arrived.
    assert sum(seen) < 10_000


@pytest.mark.parametrize("settings_overrides", [SMALL_FILES])
async def test_exactly_the_limit_is_accepted(api: DocsApi) -> None:
    headers = await api.sign_up()
    response = await api.upload(headers, b"z " * 1000)
    assert response.status_code == 201, response.text
    assert response.json()["size_bytes"] == 2000


@pytest.mark.parametrize("settings_overrides", [{"plan_limits": TWO_DOCUMENTS}])
async def test_document_quota_is_402_and_the_object_is_removed(api: DocsApi) -> None:
    headers = await api.sign_up()
    for _ in range(2):
        assert (await api.upload(headers, ARTICLE.encode())).status_code == 201
    files_before = {f for f in stored_files(api) if not f.endswith(".txt")}
    response = await api.upload(headers, b"one too many")
    assert response.status_code == 402
    assert response.json()["code"] == "QUOTA_EXCEEDED"
    assert len(await api.rows("SELECT id FROM document")) == 2
    assert {f for f in stored_files(api) if not f.endswith(".txt")} == files_before


async def test_delete_removes_row_and_objects_and_records_negative_size(api: DocsApi) -> None:
    headers = await api.sign_up()
    user_id = await api.user_id(headers)
    data = ARTICLE.encode()
    created = (await api.upload(headers, data)).json()
    document = await api.settled(headers, created["id"])
    key = (await api.rows("SELECT storage_key FROM document"))[0].storage_key
    assert await api.storage.exists(key)
    assert await api.storage.exists(document["metadata"]["text_key"])

    response = await api.client.delete(f"/api/documents/{created['id']}", headers=headers)
    assert response.status_code == 204
    assert await api.rows("SELECT id FROM document") == []
    assert not await api.storage.exists(key)
    assert not await api.storage.exists(document["metadata"]["text_key"])
    usage = await api.rows(
        "SELECT metric, quantity FROM usage_event WHERE user_id = :u AND metric IN "
        "('documents', 'storage_bytes') ORDER BY created_at, quantity",
        u=user_id,
    )
    assert [(u.metric, u.quantity) for u in usage] == [
        ("documents", 1), ("storage_bytes", len(data)), ("storage_bytes", -len(data)),
    ]  # fmt: skip
    # The summary run survives its document, unlinked.
    runs = await api.rows("SELECT document_id FROM run WHERE user_id = :u", u=user_id)
    assert [r.document_id for r in runs] == [None]
    again = await api.client.delete(f"/api/documents/{created['id']}", headers=headers)
    assert again.status_code == 404


async def test_delete_tolerates_an_object_already_gone(api: DocsApi) -> None:
    headers = await api.sign_up()
    created = (await api.upload(headers, ARTICLE.encode())).json()
    await api.settled(headers, created["id"])
    key = (await api.rows("SELECT storage_key FROM document"))[0].storage_key
    await api.storage.delete(key)
    response = await api.client.delete(f"/api/documents/{created['id']}", headers=headers)
    assert response.status_code == 204
    assert stored_files(api) == []


@pytest.mark.parametrize(
    "settings_overrides", [{"plan_limits": json.dumps({"free": {"ai_requests": 0}})}]
)
async def test_a_summary_the_plan_refuses_fails_the_document_with_the_reason(
    api: DocsApi,
) -> None:
    headers = await api.sign_up()
    created = (await api.upload(headers, ARTICLE.encode())).json()
    document: dict[str, Any] = await api.settled(headers, created["id"])
    assert document["status"] == "failed"
    assert document["metadata"]["error_code"] == "QUOTA_EXCEEDED"
    assert document["metadata"]["text_key"]  # the text is kept for a later summary


@pytest.mark.parametrize(
    "settings_overrides",
    [{"plan_limits": json.dumps({"free": {"documents": 5}}), "summarize_on_upload": False}],
)
async def test_parallel_uploads_at_the_edge_end_with_exactly_the_limit(api: DocsApi) -> None:
    headers = await api.sign_up()
    for index in range(4):
        assert (await api.upload(headers, f"early {index}".encode())).status_code == 201
    responses = await asyncio.gather(
        *[api.upload(headers, f"racing {index}".encode()) for index in range(20)]
    )
    statuses = [r.status_code for r in responses]
    assert statuses.count(201) == 1 and statuses.count(402) == 19
    assert len(await api.rows("SELECT id FROM document")) == 5
    refused = next(r.json() for r in responses if r.status_code == 402)
    assert (refused["limit"], refused["used"], refused["allowed"]) == ("documents", 5, 5)
    # The refused uploads left no objects behind and were never metered.
    originals = [f for f in stored_files(api) if not f.endswith(".txt")]
    assert len(originals) == 5
    counted = await api.rows("SELECT count(*) AS n FROM usage_event WHERE metric = 'documents'")
    assert counted[0].n == 5


async def test_deleting_the_user_removes_their_stored_files(api: DocsApi) -> None:
    headers = await api.sign_up()
    other = await api.sign_up("Other")
    mine = (await api.upload(headers, ARTICLE.encode(), "mine.txt")).json()
    theirs = (await api.upload(other, ARTICLE.encode(), "theirs.txt")).json()
    await api.settled(headers, mine["id"])
    await api.settled(other, theirs["id"])
    keys = {
        r.user_id: r.storage_key
        for r in await api.rows("SELECT user_id, storage_key FROM document")
    }
    mine_key, theirs_key = keys[await api.user_id(headers)], keys[await api.user_id(other)]

    deleted = await api.client.post(
        "/api/auth/delete-user", headers=headers, json={"password": "correct horse battery"}
    )
    assert deleted.status_code == 200, deleted.text

    async def still_stored() -> bool:
        return await api.storage.exists(mine_key) or await api.storage.exists(mine_key + ".txt")

    await wait_until(still_stored, lambda stored: not stored, what="the files to be purged")
    assert await api.storage.exists(theirs_key)  # nobody else's files are touched
