"""The real app with an in-process worker; documents are uploaded and processed for real."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import URL

from tests.integration.documents.conftest import DocsApi, docs_api


class SearchApi(DocsApi):
    async def processed(
        self, headers: dict[str, str], text: str, filename: str = "notes.txt"
    ) -> str:
        """Upload `text` and wait until it is processed; its document id."""
        data = text.encode()
        content_type = "application/pdf" if filename.endswith(".pdf") else "text/plain"
        if isinstance(text, bytes):
            data = text
        response = await self.upload(headers, data, filename, content_type)
        assert response.status_code == 201, response.text
        document = await self.settled(headers, response.json()["id"])
        assert document["status"] == "processed", document["metadata"]
        return str(document["id"])

    async def search(self, headers: dict[str, str], q: str, **params: Any) -> httpx.Response:
        return await self.client.get("/api/search", headers=headers, params={"q": q, **params})


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {}


@pytest.fixture
async def api(
    database_url: URL, tmp_path: Path, settings_overrides: dict[str, Any]
) -> AsyncIterator[SearchApi]:
    async for each in docs_api(database_url, tmp_path, **settings_overrides):
        yield SearchApi(each.app, each.client, each.engine, each.settings)
