"""The real app with an in-process worker, plus helpers to upload files and wait for results."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL

from tests.integration.conftest import Api, serve_api
from tests.integration.jobs.conditions import wait_until
from tests.integration.storage.s3_server import S3Server, s3_server

__all__ = ["s3_server"]


class DocsApi(Api):
    async def upload(
        self,
        headers: dict[str, str],
        data: bytes,
        filename: str = "file.txt",
        content_type: str = "text/plain",
        title: str | None = None,
    ) -> httpx.Response:
        form = {"title": title} if title is not None else None
        return await self.client.post(
            "/api/documents",
            headers=headers,
            files={"file": (filename, data, content_type)},
            data=form,
        )

    async def settled(self, headers: dict[str, str], document_id: str) -> dict[str, Any]:
        """The document once processing ended (processed or failed)."""

        async def probe() -> dict[str, Any]:
            response = await self.client.get(f"/api/documents/{document_id}", headers=headers)
            return dict(response.json())

        return await wait_until(
            probe, lambda d: d["status"] != "uploaded", within=20, what="document to settle"
        )

    async def rows(self, sql: str, **params: Any) -> list[Any]:
        async with self.engine.connect() as conn:
            return list((await conn.execute(text(sql), params)).all())


async def docs_api(database_url: URL, home: Path, **overrides: Any) -> AsyncIterator[DocsApi]:
    async for each in serve_api(database_url, home, DocsApi, **overrides):
        yield each


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {}


@pytest.fixture
async def api(
    database_url: URL, tmp_path: Path, settings_overrides: dict[str, Any]
) -> AsyncIterator[DocsApi]:
    async for each in docs_api(database_url, tmp_path, **settings_overrides):
        yield each


@pytest.fixture
async def s3_api(database_url: URL, tmp_path: Path, s3_server: S3Server) -> AsyncIterator[DocsApi]:
    overrides = s3_server.settings_overrides(s3_server.new_bucket())
    async for each in docs_api(database_url, tmp_path, **overrides):
        yield each
