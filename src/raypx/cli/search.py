"""`raypx search`: the same search as GET /api/search, from the terminal, as one user;
`raypx reindex`: chunk documents processed before search existed."""

from __future__ import annotations

import asyncio
import json
from typing import cast

import typer
from rich.console import Console
from rich.markup import escape

from raypx.ai.runtime import AIRuntime
from raypx.auth import service as accounts
from raypx.db.engine import create_engine, create_session_factory, resolve_database_url, transaction
from raypx.errors import Invalid
from raypx.search import reindex
from raypx.search import service as search
from raypx.search.service import SearchResults
from raypx.settings import load_settings
from raypx.storage.configured import storage_for

out = Console(soft_wrap=True, highlight=False)


def highlighted(result: search.Result) -> str:
    """The snippet with matches in bold; user text escaped so it cannot inject markup."""
    text, parts, cursor = result.snippet.text, [], 0
    for start, end in result.snippet.highlights:
        parts += [escape(text[cursor:start]), f"[bold yellow]{escape(text[start:end])}[/]"]
        cursor = end
    return "".join([*parts, escape(text[cursor:])])


def search_command(
    query: str = typer.Argument(..., help="Words or a question."),
    user: str = typer.Option(..., "--user", help="Search this user's documents (email)."),
    limit: int = typer.Option(10, min=1, max=search.MAX_LIMIT),
    as_json: bool = typer.Option(False, "--json", help="Print the API's JSON instead."),
    mode: str = typer.Option("auto", help="auto, fulltext, vector or hybrid."),
) -> None:
    """Search a user's documents: ranked passages with highlighted snippets."""
    if mode not in ("auto", "fulltext", "vector", "hybrid"):
        raise Invalid("--mode must be auto, fulltext, vector or hybrid")
    chosen = cast(search.Mode, mode)

    async def work() -> SearchResults:
        settings = load_settings()
        runtime = AIRuntime.from_settings(settings)
        engine = create_engine(resolve_database_url(settings), settings)
        factory = create_session_factory(engine)
        try:
            async with transaction(factory) as session:
                owner = await accounts.require_user_by_email(session, user)
            return await search.search_documents(
                factory, runtime, owner.id, query, limit=limit, mode=chosen
            )
        finally:
            await runtime.providers.aclose()
            await engine.dispose()

    found = asyncio.run(work())
    if as_json:
        from raypx.api.routes.search import search_out

        out.print_json(json.dumps(search_out(found).model_dump(mode="json")))
        return
    for notice in found.notices:
        out.print(f"[dim]{escape(notice)}[/]")
    if not found.results:
        out.print("No matching passages.")
    for rank, result in enumerate(found.results, start=1):
        hit = result.hit
        where = f"p. {hit.page_start}" if hit.page_start else f"chunk {hit.ordinal}"
        out.print(
            f"[bold]{rank}. {escape(hit.document_title)}[/] [dim]({where}, score "
            f"{hit.score:.3f}, {hit.document_id})[/]"
        )
        out.print(f"   {highlighted(result)}")


def reindex_command(
    user: str | None = typer.Option(None, "--user", help="Only this user's documents (email)."),
    everything: bool = typer.Option(
        False, "--all", help="Re-chunk every processed document, not only those without chunks."
    ),
) -> None:
    """Chunk documents for search (those processed before search existed, or all with --all);
    with an embedding model configured their embedding jobs are queued too."""

    async def work() -> tuple[int, int]:
        settings = load_settings()
        engine = create_engine(resolve_database_url(settings), settings)
        factory = create_session_factory(engine)
        storage = storage_for(settings)
        try:
            owner_id = None
            if user is not None:
                async with transaction(factory) as session:
                    owner_id = (await accounts.require_user_by_email(session, user)).id
            ids = await reindex.documents_to_index(factory, owner_id, everything)
            done = 0
            for document_id in ids:
                if await reindex.reindex_document(factory, storage, settings, document_id):
                    done += 1
            return done, len(ids)
        finally:
            await engine.dispose()

    done, total = asyncio.run(work())
    skipped = (
        f" ({total - done} skipped: the file is missing or unreadable)" if done < total else ""
    )
    out.print(f"{done} of {total} document(s) chunked{skipped}")
