"""`raypx ai …` and `raypx runs list` from a real subprocess."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL

from tests.integration.conftest import Api

ARTICLE = (
    "The city council approved a new budget of $4.2 million on Tuesday. The plan funds three "
    "new libraries and extends bus service to the northern districts. Council member Maria Lopez "
    "said the vote followed months of public hearings."
)


async def raypx(
    url: URL, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url.render_as_string(hide_password=False),
           "COLUMNS": "200", **(env or {})}  # fmt: skip
    return await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "raypx", *args], env=env, input=stdin,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


async def test_ai_run_prints_the_result_and_bills_the_user(
    api: Api, database_url: URL, tmp_path: Path
) -> None:
    headers = await api.sign_up("Terminal")
    email = (await api.client.get("/api/me", headers=headers)).json()["user"]["email"]
    source = tmp_path / "article.txt"
    source.write_text(ARTICLE)

    local = await raypx(database_url, "ai", "run", "summarize", str(source))
    assert local.returncode == 0, local.stderr
    assert (
        local.stdout.strip() == "The city council approved a new budget of $4.2 million on Tuesday."
    )
    assert "1 chunk(s), 1 call(s)" in local.stderr

    piped = await raypx(database_url, "ai", "run", "rewrite", "-", "--tone", "professional",
                        stdin="We're gonna ship it asap!")  # fmt: skip
    assert piped.stdout.strip() == "We are going to ship it as soon as possible."

    billed = await raypx(database_url, "ai", "run", "summarize", str(source), "--user", email)
    assert billed.returncode == 0, billed.stderr
    runs = (await api.client.get("/api/runs", headers=headers)).json()["items"]
    assert [(r["status"], r["feature"]) for r in runs] == [("succeeded", "summarize")]
    async with api.engine.connect() as conn:
        metrics = (await conn.execute(
            text("SELECT metric FROM usage_event WHERE run_id = :id ORDER BY metric"),
            {"id": runs[0]["id"]},
        )).scalars().all()  # fmt: skip
    assert metrics == ["ai_requests", "ai_tokens"]

    listed = await raypx(database_url, "runs", "list", email)
    assert runs[0]["id"] in listed.stdout and "succeeded" in listed.stdout


async def test_ai_cli_errors_are_one_line(api: Api, database_url: URL) -> None:
    missing = await raypx(database_url, "ai", "run", "summarize", "/no/such/file.txt")
    assert (
        missing.returncode == 2
        and missing.stderr.strip() == "error: no such file: /no/such/file.txt"
    )
    unknown = await raypx(database_url, "ai", "run", "summarize", "-", "--model", "openai:gpt-9",
                          stdin="text")  # fmt: skip
    assert unknown.returncode == 2 and "unknown model 'openai:gpt-9'" in unknown.stderr
    models = await raypx(database_url, "ai", "models")
    assert "mock:raypx-1" in models.stdout and "openai:gpt-4o" in models.stdout
