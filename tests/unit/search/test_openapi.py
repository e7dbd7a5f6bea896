"""The new endpoints are documented in OpenAPI with resolvable schemas (for the web app)."""

from __future__ import annotations

import json
import re

from raypx.api.app import create_app
from raypx.settings import Settings


def test_search_ask_and_v1_are_documented_without_dangling_references() -> None:
    spec = create_app(Settings(database_url="postgresql://nobody@127.0.0.1/none")).openapi()
    text = json.dumps(spec)
    referenced = set(re.findall(r"#/components/schemas/([A-Za-z0-9_]+)", text))
    assert referenced <= set(spec["components"]["schemas"])
    for path in ("/api/search", "/api/conversations/{conversation_id}/ask",
                 "/api/conversations/{conversation_id}/citations", "/v1/chat/completions",
                 "/v1/embeddings", "/v1/models"):  # fmt: skip
        assert path in spec["paths"], path
    body = spec["paths"]["/v1/chat/completions"]["post"]["requestBody"]
    assert "messages" in body["content"]["application/json"]["schema"]["properties"]
