"""The streaming multipart reader: file bytes as they come, fields after, limits as it reads."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from raypx.documents.multipart import FileTooLarge, MultipartUpload
from raypx.errors import Invalid

BOUNDARY = "----raypxboundary"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def part(name: str, value: bytes, filename: str | None = None, type: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
    headers = f"Content-Disposition: {disposition}\r\n" + (
        f"Content-Type: {type}\r\n" if type else ""
    )
    return f"--{BOUNDARY}\r\n{headers}\r\n".encode() + value + b"\r\n"


def body(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


async def in_chunks(data: bytes, size: int = 7) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def read(upload: MultipartUpload, limit: int = 1000) -> bytes:
    return b"".join([chunk async for chunk in upload.file_chunks(limit)])


async def test_file_and_a_title_after_it() -> None:
    data = body(part("file", b"hello\r\n--not a boundary", "C:\\docs\\a.md", "text/markdown"),
                part("title", "Grüße".encode()))  # fmt: skip
    upload = MultipartUpload(in_chunks(data), CONTENT_TYPE, str(len(data)))
    assert await read(upload) == b"hello\r\n--not a boundary"
    assert upload.filename == "a.md"  # a browser's full client path is cut to the name
    assert upload.declared_type == "text/markdown"
    assert upload.fields == {"title": "Grüße"}


async def test_limit_is_enforced_while_reading() -> None:
    received = 0

    async def counted() -> AsyncIterator[bytes]:
        nonlocal received
        async for chunk in in_chunks(body(part("file", b"x" * 100_000, "a.txt")), 1024):
            received += len(chunk)
            yield chunk

    upload = MultipartUpload(counted(), CONTENT_TYPE, None)
    with pytest.raises(FileTooLarge):
        await read(upload, limit=5000)
    assert received < 10_000


async def test_declared_length_over_the_limit_is_refused_before_reading() -> None:
    async def never() -> AsyncIterator[bytes]:
        raise AssertionError("the body must not be read")
        yield b""

    upload = MultipartUpload(never(), CONTENT_TYPE, str(10_000_000))
    with pytest.raises(FileTooLarge):
        await read(upload, limit=1000)


@pytest.mark.parametrize(
    ("content_type", "data", "code"),
    [
        ("application/json", b"{}", "NOT_MULTIPART"),
        ("multipart/form-data", b"", "NOT_MULTIPART"),
        (CONTENT_TYPE, body(part("title", b"only a title")), "FILE_REQUIRED"),
        (CONTENT_TYPE, body(part("file", b"no filename")), "FILE_REQUIRED"),
        (CONTENT_TYPE, body(part("file", b"x", "a.txt"), part("title", b"t" * 5000)),
         "FIELD_TOO_LONG"),
    ],
)  # fmt: skip
async def test_malformed_requests(content_type: str, data: bytes, code: str) -> None:
    with pytest.raises(Invalid) as error:
        await read(MultipartUpload(in_chunks(data), content_type, None))
    assert error.value.code == code
