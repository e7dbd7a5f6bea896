"""The local backend on a temporary directory: atomic writes, streaming reads, safe keys."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from raypx.errors import ConfigurationError
from raypx.settings import Settings
from raypx.storage.base import ObjectMissing, put_bytes, read_bytes
from raypx.storage.configured import build_storage
from raypx.storage.local import LocalStorage


async def test_round_trip_and_idempotent_delete(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    assert await put_bytes(storage, "documents/u/1", b"abc" * 100_000) == 300_000
    assert await storage.exists("documents/u/1")
    chunks = [c async for c in await storage.get("documents/u/1")]
    assert len(chunks) > 1 and b"".join(chunks) == b"abc" * 100_000
    await storage.delete("documents/u/1")
    await storage.delete("documents/u/1")
    assert not await storage.exists("documents/u/1")
    with pytest.raises(ObjectMissing):
        await storage.get("documents/u/1")


async def test_a_failed_write_leaves_no_file_and_keeps_the_old_one(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    await put_bytes(storage, "doc", b"old")

    async def breaks() -> AsyncIterator[bytes]:
        yield b"new but incomplete"
        raise ConnectionResetError

    with pytest.raises(ConnectionResetError):
        await storage.put("doc", breaks())
    assert await read_bytes(storage, "doc") == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc"]  # noqa: ASYNC240 (no temp file left)


@pytest.mark.parametrize("key", ["../escape", "a/../../b", "/etc/passwd", "a\\b", "."])
async def test_keys_cannot_leave_the_root(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError):
        await put_bytes(LocalStorage(tmp_path / "root"), key, b"x")
    assert not (tmp_path / "escape").exists()


def test_settings_choose_the_backend(tmp_path: Path) -> None:
    local = build_storage(Settings(home=tmp_path))
    assert isinstance(local, LocalStorage) and local.root == tmp_path / "storage"
    with pytest.raises(ConfigurationError, match="RAYPX_S3_BUCKET"):
        build_storage(Settings(home=tmp_path, storage_backend="s3"))
    with pytest.raises(ConfigurationError, match="or neither"):
        build_storage(
            Settings(home=tmp_path, storage_backend="s3", s3_bucket="b", s3_access_key_id="k")
        )
