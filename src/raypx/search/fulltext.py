"""Full-text ranking of a user's chunks with PostgreSQL (tsvector, GIN, ts_rank_cd).

The query is built here rather than by websearch_to_tsquery so CJK gets the bigram treatment
the index has. Two forms: every term (AND; a CJK run as a bigram phrase) and any term (OR;
each bigram alone). Chunks with every term come first; then the rest by rank, so a keyword
search is precise and a question in natural language still finds its passage. Each chunk is
matched with the query of its own language (one branch per configuration, so the GIN index
serves them all).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.search import language

MAX_QUERY_TERMS = 64


@dataclass(frozen=True)
class Hit:
    chunk_id: uuid.UUID
    document_id: uuid.UUID
    document_title: str
    ordinal: int
    heading: str | None
    page_start: int | None
    page_end: int | None
    content: str
    score: float


def quote(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def build_queries(query: str) -> tuple[str, str] | None:
    """(all-terms, any-term) tsquery texts, or None when the query has no searchable term."""
    every, anyof = [], []
    for term in language.query_terms(query)[:MAX_QUERY_TERMS]:
        if isinstance(term, str):
            every.append(quote(term))
            anyof.append(quote(term))
        elif len(term) == 1 and len(term[0]) == 1:  # one CJK character: bigrams starting with it
            every.append(quote(term[0]) + ":*")
            anyof.append(quote(term[0]) + ":*")
        else:
            every.append("(" + " <-> ".join(quote(g) for g in term) + ")")
            anyof += [quote(g) for g in term]
    if not every:
        return None
    return " & ".join(every), " | ".join(dict.fromkeys(anyof))


def _per_language(template: str) -> str:
    return " ".join(
        f"WHEN '{config}' THEN {template.format(config=config)}" for config in language.CONFIGS
    )


SEARCH = f"""
SELECT c.id, c.document_id, d.title, c.ordinal, c.heading, c.page_start, c.page_end, c.content,
       (CASE c.language {_per_language("c.search_vector @@ to_tsquery('{config}', :every)")}
        END)::int
       + ts_rank_cd(c.search_vector,
                    CASE c.language {_per_language("to_tsquery('{config}', :anyof)")} END, 32)
         AS score
FROM document_chunk c
JOIN document d ON d.id = c.document_id
WHERE c.user_id = :user_id
  AND ({
    " OR ".join(
        f"(c.language = '{config}' AND c.search_vector @@ to_tsquery('{config}', :anyof))"
        for config in language.CONFIGS
    )
})
  AND (CAST(:document_ids AS uuid[]) IS NULL OR c.document_id = ANY(CAST(:document_ids AS uuid[])))
ORDER BY score DESC, c.id
LIMIT :limit
"""


async def search_chunks(
    session: AsyncSession,
    user_id: str,
    query: str,
    *,
    limit: int,
    document_ids: Sequence[uuid.UUID] | None = None,
) -> list[Hit]:
    queries = build_queries(query)
    if queries is None:
        return []
    every, anyof = queries
    rows = await session.execute(
        text(SEARCH),
        {
            "user_id": user_id,
            "every": every,
            "anyof": anyof,
            "limit": limit,
            "document_ids": list(document_ids) if document_ids is not None else None,
        },
    )
    return [Hit(*row) for row in rows]
