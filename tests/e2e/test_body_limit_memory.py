"""200 MB bodies to a real `raypx serve`: answered 413 early, the process's memory stays flat.

Before the cap each such body was read and parsed whole: +585 to 820 MB resident per request.
"""

from __future__ import annotations

import select
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from tests.e2e.served import Served, serve_raypx

pytestmark = pytest.mark.slow

BODY_BYTES = 200 * 1024 * 1024
CHUNK = b"x" * (1024 * 1024)
# Loose enough for allocator noise, far below the hundreds of MB one uncapped body costs.
ALLOWED_GROWTH_MIB = 40


@pytest.fixture
def served(database_url: URL, tmp_path: Path) -> Iterator[Served]:
    with serve_raypx(database_url, tmp_path) as served:
        yield served


def post_huge(served: Served, path: str, *, chunked: bool) -> tuple[bytes, int]:
    """Streams up to 200 MB until the server answers; (status line, bytes it took first)."""
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {BODY_BYTES}"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Origin: {served.base_url}\r\n{framing}\r\n\r\n"
    )
    sent = 0
    with socket.create_connection(("127.0.0.1", served.port), timeout=30) as sock:
        sock.sendall(head.encode())
        try:
            while sent < BODY_BYTES and not select.select([sock], [], [], 0)[0]:
                piece = f"{len(CHUNK):x}\r\n".encode() + CHUNK + b"\r\n" if chunked else CHUNK
                sock.sendall(piece)
                sent += len(CHUNK)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed while we were still sending
        answer = sock.recv(65536)
    return answer.split(b"\r\n", 1)[0], sent


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_huge_bodies_are_refused_early_in_bounded_memory(served: Served, chunked: bool) -> None:
    resident_before, _ = served.memory_mib()
    for path in ("/api/auth/sign-in/email", "/api/runs", "/api/billing/stripe/webhook"):
        status, sent = post_huge(served, path, chunked=chunked)
        assert status.startswith(b"HTTP/1.1 413 "), (path, status)
        assert sent < BODY_BYTES // 4, f"{path}: the server read {sent} bytes before answering"
        resident, peak = served.memory_mib()
        assert resident - resident_before < ALLOWED_GROWTH_MIB, (path, resident_before, resident)
        assert peak - resident_before < ALLOWED_GROWTH_MIB + 60, (path, resident_before, peak)
