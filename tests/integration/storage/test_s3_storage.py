"""The S3 backend against a real S3 API server: round trips, multipart, atomicity, cleanup."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from raypx.storage import s3
from raypx.storage.base import ObjectMissing, put_bytes, read_bytes
from raypx.storage.s3 import S3Storage
from tests.integration.storage.s3_server import S3Server


@pytest.fixture
def storage(s3_server: S3Server) -> S3Storage:
    return S3Storage(s3_server.client(), s3_server.new_bucket())


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> int:
    # S3's minimum part size, so the multipart path runs with a few MB instead of 16+.
    monkeypatch.setattr(s3, "PART_BYTES", 5 * 1024 * 1024)
    return s3.PART_BYTES


async def chunks_of(data: bytes, size: int = 256 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def pending_uploads(storage: S3Storage) -> list[Any]:
    return list(storage.client.list_multipart_uploads(Bucket=storage.bucket).get("Uploads", []))


async def test_put_get_exists_delete(storage: S3Storage) -> None:
    key = "documents/user/0001"
    assert not await storage.exists(key)
    assert await put_bytes(storage, key, b"hello world", "text/plain") == 11
    assert await storage.exists(key)
    assert await read_bytes(storage, key) == b"hello world"
    head = storage.client.head_object(Bucket=storage.bucket, Key=key)
    assert head["ContentType"] == "text/plain"
    await put_bytes(storage, key, b"replaced")
    assert await read_bytes(storage, key) == b"replaced"
    await storage.delete(key)
    await storage.delete(key)  # already gone: fine
    assert not await storage.exists(key)
    with pytest.raises(ObjectMissing):
        await storage.get(key)


async def test_large_object_goes_up_in_parts_and_streams_back(
    storage: S3Storage, small_parts: int
) -> None:
    data = bytes(range(256)) * (small_parts * 2 // 256 + 1000)  # two full parts and a tail
    assert await storage.put("big/one", chunks_of(data)) == len(data)
    received = [chunk async for chunk in await storage.get("big/one")]
    assert b"".join(received) == data
    assert len(received) > 1  # streamed, not read in one piece
    assert pending_uploads(storage) == []


async def test_a_failed_multipart_upload_leaves_no_object_and_no_parts(
    storage: S3Storage, small_parts: int
) -> None:
    async def breaks_after_a_part() -> AsyncIterator[bytes]:
        async for chunk in chunks_of(b"x" * (small_parts + 1024)):
            yield chunk
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await storage.put("big/broken", breaks_after_a_part())
    assert not await storage.exists("big/broken")
    assert pending_uploads(storage) == []


async def test_a_failed_small_upload_leaves_nothing(storage: S3Storage) -> None:
    async def breaks() -> AsyncIterator[bytes]:
        yield b"partial"
        raise ValueError("limit")

    with pytest.raises(ValueError):
        await storage.put("small/broken", breaks())
    assert not await storage.exists("small/broken")


async def test_a_failed_overwrite_keeps_the_previous_object(
    storage: S3Storage, small_parts: int
) -> None:
    await put_bytes(storage, "doc", b"version one")

    async def breaks() -> AsyncIterator[bytes]:
        yield b"y" * (small_parts + 10)
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        await storage.put("doc", breaks())
    assert await read_bytes(storage, "doc") == b"version one"


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a//b", "a/./b", "a b", ""])
async def test_unsafe_keys_are_refused(storage: S3Storage, key: str) -> None:
    with pytest.raises(ValueError):
        await put_bytes(storage, key, b"x")
