"""Zip bombs uploaded to a real `raypx serve` (in-process worker): the document fails with a
clear code, and no process of the server grows with what the archive claims to hold."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from raypx.documents.sniffing import DOCX
from tests.e2e.conftest import Served
from tests.fakes.archive_bomb import docx_bomb, lying_docx_bomb

pytestmark = pytest.mark.slow
MIB = 1024 * 1024
BOMB_MIB = 512  # inflated; each file is ~0.5 MB on disk


def peak_rss(pid: int) -> dict[int, int]:
    """VmHWM (peak resident memory, bytes) of `pid` and every process below it."""
    peaks: dict[int, int] = {}
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:  # it exited meanwhile
            continue
        line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
        peaks[current] = int(line.split()[1]) * 1024
    return peaks


def settled(client: httpx.Client, document_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        document = client.get(f"/api/documents/{document_id}").json()
        if document["status"] != "uploaded":
            return dict(document)
        assert time.monotonic() < deadline, "the document never settled"
        time.sleep(0.1)  # polling a condition with a deadline


@pytest.mark.parametrize(
    ("make", "code"),
    [(docx_bomb, "ARCHIVE_TOO_LARGE"), (lying_docx_bomb, "BROKEN_FILE")],
    ids=["bomb", "bomb-with-lying-sizes"],
)
def test_a_zip_bomb_fails_the_document_and_memory_stays_bounded(
    serve_process: Callable[..., Served], make: Callable[[int], bytes], code: str
) -> None:
    served = serve_process(RAYPX_WORKER_IN_PROCESS="true")
    bomb = make(BOMB_MIB)
    with httpx.Client(base_url=served.url, timeout=30) as client:
        account = {"name": "Eve", "email": "eve@example.com", "password": "correct horse battery"}
        token = client.post("/api/auth/sign-up/email", json=account).json()["token"]
        client.headers["Authorization"] = f"Bearer {token}"
        client.cookies.clear()
        uploaded = client.post("/api/documents", files={"file": ("report.docx", bomb, DOCX)})
        assert uploaded.status_code == 201, uploaded.text
        document = settled(client, uploaded.json()["id"])

    assert document["status"] == "failed"
    assert document["metadata"]["error_code"] == code
    peaks = peak_rss(served.process.pid)
    print({pid: f"{peak / MIB:.0f} MiB" for pid, peak in peaks.items()})
    # The whole server (API, worker, extraction pool) stays far below what the bomb holds.
    assert max(peaks.values()) < 300 * MIB, peaks
