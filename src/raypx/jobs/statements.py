"""The queue's SQL, loaded by name from `queries.sql` (kept in one file so it can be read whole).

Each statement is written once with `:name` parameters and rendered for both clients: psycopg
(`%(name)s`), used directly by the worker's hot path, and SQLAlchemy `text()`, used by services
that run inside the caller's session.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import LiteralString

from sqlalchemy import TextClause, text

# `:name` but not the `::` of a cast.
_PARAMETER = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")
_NAME_LINE = re.compile(r"^-- name: ([a-z_]+)\s*$", re.MULTILINE)


@cache
def load_queries() -> dict[str, str]:
    source = resources.files("raypx.jobs").joinpath("queries.sql").read_text()
    parts = _NAME_LINE.split(source)
    # parts = [preamble, name1, body1, name2, body2, ...]
    return {
        name: _strip_comments(body) for name, body in zip(parts[1::2], parts[2::2], strict=True)
    }


def _strip_comments(body: str) -> str:
    lines = [line for line in body.splitlines() if not line.lstrip().startswith("--")]
    return "\n".join(lines).strip()


@cache
def psycopg_query(name: str) -> LiteralString:
    """The statement with psycopg placeholders. Typed as a literal: it comes from our own file."""
    return _PARAMETER.sub(r"%(\1)s", load_queries()[name])


@cache
def sqlalchemy_query(name: str) -> TextClause:
    return text(load_queries()[name])
