"""Search quality (recall@5, MRR) for full-text, vector and hybrid, and query latency at scale.

Run:  python -m benchmarks.search [--embedding fake:embed] [--documents 10000] [--queries 200]

Uses the embedded PostgreSQL (it ships pgvector) in a scratch database, and Raypx's own code
end to end: chunking and tsvectors (search.indexing), the embedding providers, the full-text
query (search.fulltext), pgvector's cosine ranking and reciprocal rank fusion (search.vectors).
The evaluation set is benchmarks/search_eval (264 questions over 232 passages, English and
Chinese; see its build.py). A question is answered when a chunk of its passage is ranked.

`fake:embed` hashes words and CJK bigrams: a lexical baseline, not a semantic model. Any
OpenAI-compatible embedding model can be measured the same way (OPENAI_BASE_URL/API key).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import secrets
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from tests.conftest import create_database, drop_database

from raypx.ai.runtime import AIRuntime
from raypx.db import migrate
from raypx.db.embedded import start_embedded
from raypx.db.models import ChunkEmbedding, Document, User
from raypx.embeddings import providers
from raypx.embeddings.registry import EmbeddingSpec, registry_for
from raypx.search import fulltext, indexing, vectors
from raypx.settings import Settings

EVAL = Path(__file__).parent / "search_eval"
TOP = 10


def load(name: str) -> list[dict[str, str]]:
    lines = (EVAL / name).read_text(encoding="utf-8").splitlines()[1:]  # line 1: header
    return [json.loads(line) for line in lines]


async def add_documents(
    session: AsyncSession,
    runtime: AIRuntime,
    spec: EmbeddingSpec,
    user_id: str,
    passages: list[dict[str, str]],
) -> dict[uuid.UUID, str]:
    """Index passages as documents; returns document id -> passage id."""
    by_document: dict[uuid.UUID, str] = {}
    for passage in passages:
        document = Document(user_id=user_id, title=passage["title"],
                            storage_key=f"bench/{uuid.uuid4()}")  # fmt: skip
        session.add(document)
        await session.flush()
        prepared = indexing.prepare_chunks(passage["text"], None)
        await indexing.replace_chunks(
            session, document_id=document.id, user_id=user_id, prepared=prepared
        )
        by_document[document.id] = passage["id"]
    await session.flush()
    chunks = (await session.execute(text(
        "SELECT id, document_id, coalesce(heading || E'\\n\\n', '') || content FROM document_chunk "
        "WHERE user_id = :u AND id NOT IN (SELECT chunk_id FROM chunk_embedding)"), {"u": user_id}
    )).all()  # fmt: skip
    for start in range(0, len(chunks), 500):
        batch = chunks[start : start + 500]
        done = await providers.embed(runtime, spec, [c[2] for c in batch])
        await session.execute(insert(ChunkEmbedding).values([
            {"chunk_id": c[0], "document_id": c[1], "user_id": user_id, "model": spec.name,
             "dimensions": len(v), "embedding": v} for c, v in zip(batch, done.vectors, strict=True)
        ]))  # fmt: skip
    return by_document


async def rankings(
    session: AsyncSession, runtime: AIRuntime, spec: EmbeddingSpec, user_id: str, question: str
) -> dict[str, list[fulltext.Hit]]:
    text_hits = await fulltext.search_chunks(session, user_id, question, limit=TOP * 3)
    vector = (await providers.embed(runtime, spec, [question])).vectors[0]
    vector_hits = await vectors.nearest_chunks(session, user_id, spec.name, vector, limit=TOP * 3)
    return {
        "fulltext": text_hits[:TOP],
        "vector": vector_hits[:TOP],
        "hybrid": vectors.fuse([text_hits, vector_hits], TOP),
    }


def score(ranked: list[str], wanted: str) -> tuple[float, float]:
    ranks = [i for i, p in enumerate(ranked, start=1) if p == wanted]
    first = ranks[0] if ranks else None
    return (1.0 if first and first <= 5 else 0.0), (1.0 / first if first else 0.0)


async def quality(
    session: AsyncSession, runtime: AIRuntime, spec: EmbeddingSpec, user_id: str,
    by_document: dict[uuid.UUID, str],
) -> None:  # fmt: skip
    questions = load("questions.jsonl")
    table: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for q in questions:
        for method, hits in (
            await rankings(session, runtime, spec, user_id, q["question"])
        ).items():
            ranked = list(dict.fromkeys(by_document.get(h.document_id, "?") for h in hits))
            for lang in (q["lang"], "all"):
                table.setdefault((method, lang), []).append(score(ranked, q["passage"]))
    print(f"\nQuality over {len(questions)} questions (embedding: {spec.name})")
    print(f"{'method':<10}{'lang':<6}{'n':>5}{'recall@5':>10}{'MRR':>8}")
    for (method, lang), scores in sorted(table.items()):
        recall = statistics.fmean(s[0] for s in scores)
        mrr = statistics.fmean(s[1] for s in scores)
        print(f"{method:<10}{lang:<6}{len(scores):>5}{recall:>10.3f}{mrr:>8.3f}")


async def latency(
    session: AsyncSession, runtime: AIRuntime, spec: EmbeddingSpec, user_id: str,
    documents: int, queries: int,
) -> None:  # fmt: skip
    passages = load("corpus.jsonl")
    sentences = [s for p in passages for s in p["text"].replace("\n", " ").split(". ") if s]
    rng = random.Random(7)
    filler = [
        {"id": f"filler-{i}", "title": f"filler {i}",
         "text": ". ".join(rng.choice(sentences) for _ in range(rng.randint(4, 12)))}
        for i in range(documents - len(passages))
    ]  # fmt: skip
    started = time.perf_counter()
    for start in range(0, len(filler), 1000):
        await add_documents(session, runtime, spec, user_id, filler[start : start + 1000])
    await session.execute(text("ANALYZE"))
    total = await session.scalar(text("SELECT count(*) FROM document WHERE user_id = :u"),
                                 {"u": user_id})  # fmt: skip
    print(f"\nLatency at {total:,} documents (indexed in {time.perf_counter() - started:.0f} s)")
    asked = [q["question"] for q in load("questions.jsonl")]
    timings: dict[str, list[float]] = {"fulltext": [], "vector": [], "hybrid": []}
    for question in (asked * (queries // len(asked) + 1))[:queries]:
        t0 = time.perf_counter()
        text_hits = await fulltext.search_chunks(session, user_id, question, limit=TOP * 3)
        t1 = time.perf_counter()
        vector = (await providers.embed(runtime, spec, [question])).vectors[0]
        vector_hits = await vectors.nearest_chunks(
            session, user_id, spec.name, vector, limit=TOP * 3
        )
        t2 = time.perf_counter()
        vectors.fuse([text_hits, vector_hits], TOP)
        t3 = time.perf_counter()
        timings["fulltext"].append(t1 - t0)
        timings["vector"].append(t2 - t1)
        timings["hybrid"].append(t3 - t0)
    print(f"{'method':<10}{'p50 ms':>9}{'p99 ms':>9}  ({queries} queries, one user's documents)")
    for method, values in timings.items():
        cuts = statistics.quantiles(values, n=100)
        print(f"{method:<10}{cuts[49] * 1000:>9.1f}{cuts[98] * 1000:>9.1f}")


async def main(args: argparse.Namespace) -> None:
    server = start_embedded(Path(args.home), database="postgres")
    name = f"raypx_bench_search_{secrets.token_hex(4)}"
    url: URL = create_database(server, name)
    try:
        migrate.upgrade(url)
        settings = Settings(database_url=url.render_as_string(hide_password=False),
                            ai_enable_fake=True)  # fmt: skip
        runtime = AIRuntime.from_settings(settings)
        spec = registry_for(settings).resolve(args.embedding)
        engine = create_async_engine(url)
        async with async_sessionmaker(engine)() as session, session.begin():
            await session.execute(text("CREATE EXTENSION IF NOT EXISTS vector"))
            user = User(id="bench-user", name="Bench", email="bench@example.com")
            session.add(user)
            await session.flush()
            by_document = await add_documents(session, runtime, spec, user.id, load("corpus.jsonl"))
            await quality(session, runtime, spec, user.id, by_document)
            if args.documents:  # 0: quality only (a slow embedding model)
                await latency(session, runtime, spec, user.id, args.documents, args.queries)
        await engine.dispose()
        await runtime.providers.aclose()
    finally:
        drop_database(server, name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embedding", default="fake:embed")
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--home", default="/tmp/raypx-bench-home")
    arguments: Any = parser.parse_args()
    asyncio.run(main(arguments))
