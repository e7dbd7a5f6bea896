"""Schema fuzzing (schemathesis) against a real `raypx serve`, signed in and anonymous.

Fails on any 500 and on any status or content type the OpenAPI document does not list, so
the document stays a true description of every answer. Bounded to about three minutes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import URL

from tests.e2e.served import serve_raypx

pytestmark = pytest.mark.slow

SECONDS_PER_RUN = int(os.environ.get("RAYPX_FUZZ_SECONDS", "80"))
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance"
CONFIG = Path(__file__).with_name("schemathesis.toml")
# These end the fuzzer's own session; the anonymous run still covers them.
ENDS_SESSION = "/api/auth/(sign-out|revoke-sessions|delete-user)$"


def fuzz(base_url: str, report: Path, *extra: str) -> dict[str, Any]:
    schemathesis = Path(sys.executable).with_name("schemathesis")
    command = [
        str(schemathesis), "--config-file", str(CONFIG), "run", f"{base_url}/api/openapi.json",
        "--checks", CHECKS, "--max-time", str(SECONDS_PER_RUN), "--workers", "2",
        "--no-shrink", "--seed", "1", "--report", "json", "--report-json-path", str(report),
        "--warnings", "off", *extra,
    ]  # fmt: skip
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=SECONDS_PER_RUN + 120, cwd=report.parent
    )
    if not report.exists():
        raise AssertionError(done.stdout[-4000:] + done.stderr[-4000:])
    result: dict[str, Any] = json.loads(report.read_text())
    result["output"] = done.stdout
    return result


def summary(result: dict[str, Any]) -> str:
    """The failure section of schemathesis' own output: each failure with a curl to replay."""
    output: str = result["output"]
    start = output.find("FAILURES")
    return output[start : start + 12_000] if start >= 0 else output[-6000:]


def test_fuzzing_finds_no_500_and_no_undocumented_answer(database_url: URL, tmp_path: Path) -> None:
    with serve_raypx(database_url, tmp_path) as served:
        signed_up = httpx.post(
            f"{served.base_url}/api/auth/sign-up/email",
            json={"name": "Fuzz", "email": "fuzz@example.com", "password": "correct horse"},
        )
        assert signed_up.status_code == 200, signed_up.text
        bearer = f"Authorization: Bearer {signed_up.json()['token']}"
        runs = {
            "signed-in": fuzz(
                served.base_url, tmp_path / "signed-in.json", "-H", bearer,
                "--exclude-path-regex", ENDS_SESSION,
            ),
            "anonymous": fuzz(served.base_url, tmp_path / "anonymous.json"),
        }  # fmt: skip
        server_log = served.log.read_text()
    for name, result in runs.items():
        assert result["test_cases"]["generated"] > 100, f"{name}: too little was generated"
        # "Runtime Error" is schemathesis' own (a generator crash); network errors and timeouts
        # are the server's and fail the test like any failed check.
        server_errors = [e for e in result["errors"] if e["title"] != "Runtime Error"]
        assert not result["failures"] and not server_errors, f"{name}:\n{summary(result)}"
    assert "Traceback" not in server_log, server_log[-6000:]
