"""The storage interface every backend implements, and the rules for keys.

Keys are made by Raypx (`documents/{user_id}/{uuid7}`), never from user-supplied names, so they
are unique across processes sharing one bucket and safe as paths. `put` is atomic: a reader
sees the whole object or none, and a failed or cancelled write leaves nothing behind.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, AsyncIterator
from typing import Protocol

from raypx.errors import RaypxError

CHUNK_BYTES = 64 * 1024
# Letters, digits, `._-` in path segments; no empty, `.` or `..` segment and no leading slash.
SAFE_KEY = re.compile(r"^(?!.*(?:^|/)\.{1,2}(?:/|$))[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*$")


class ObjectMissing(RaypxError):
    """The key names no stored object."""

    status_code = 404
    default_code = "OBJECT_NOT_FOUND"


def check_key(key: str) -> str:
    if len(key) > 512 or not SAFE_KEY.match(key):
        raise ValueError(f"unsafe storage key {key!r}")
    return key


class Storage(Protocol):
    async def put(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        *,
        content_type: str = "application/octet-stream",
    ) -> int:
        """Store the stream under `key` (replacing any object there); returns its size."""
        ...

    async def get(self, key: str) -> AsyncIterator[bytes]:
        """The object's bytes in chunks; raises ObjectMissing before the first chunk."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object; a missing one is not an error."""
        ...

    async def exists(self, key: str) -> bool: ...


async def one_chunk(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def put_bytes(
    storage: Storage, key: str, data: bytes, content_type: str = "application/octet-stream"
) -> int:
    return await storage.put(key, one_chunk(data), content_type=content_type)


async def read_bytes(storage: Storage, key: str) -> bytes:
    return b"".join([chunk async for chunk in await storage.get(key)])
