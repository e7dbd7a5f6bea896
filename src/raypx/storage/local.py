"""Files on the local disk, under RAYPX_HOME/storage by default.

Writes go to a temporary file in the target directory, are fsynced and then renamed over the
final name (`os.replace` is atomic on POSIX), so concurrent readers and other API processes on
the same disk never see a partial file.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from typing import BinaryIO

from raypx.storage.base import CHUNK_BYTES, ObjectMissing, check_key


def sync_and_close(handle: BinaryIO) -> None:
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()


def sync_directory(path: Path) -> None:
    # The rename is durable only once the directory entry itself is on disk.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        *,
        content_type: str = "application/octet-stream",
    ) -> int:
        path = self.path_for(key)
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
        handle = os.fdopen(fd, "wb")
        size = 0
        try:
            async for chunk in chunks:
                await asyncio.to_thread(handle.write, chunk)
                size += len(chunk)
            await asyncio.to_thread(sync_and_close, handle)
            await asyncio.to_thread(os.replace, temp_name, path)
            await asyncio.to_thread(sync_directory, path.parent)
        except BaseException:
            # Also on cancellation (a client gone mid-upload): never leave the partial file.
            handle.close()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise
        return size

    async def get(self, key: str) -> AsyncIterator[bytes]:
        path = self.path_for(key)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except (FileNotFoundError, IsADirectoryError):
            raise ObjectMissing(f"no stored object {key!r}") from None
        return self._read(handle)

    async def _read(self, handle: BinaryIO) -> AsyncIterator[bytes]:
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK_BYTES):
                yield chunk
        finally:
            handle.close()

    async def delete(self, key: str) -> None:
        path = self.path_for(key)
        await asyncio.to_thread(path.unlink, missing_ok=True)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self.path_for(key).is_file)
