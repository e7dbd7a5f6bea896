"""A chat turn: the user's message, the model's reply, the run and its usage.

The user's message and a running run are committed first; the reply is produced outside any
transaction; then the assistant message, the run's final status and the usage commit together.
Streaming runs the model in a task of its own, so a client that disconnects midway does not stop
the turn from being recorded: the reply so far (or in full) and its usage are still written.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.ai import conversations, turn_recording
from raypx.ai import service as runs
from raypx.ai.execution import input_budget
from raypx.ai.prompts import Feature, Task, system_prompt
from raypx.ai.providers.base import (
    ChatMessage,
    Completion,
    CompletionRequest,
    ProviderError,
    StreamInterrupted,
    Usage,
)
from raypx.ai.registry import ModelSpec
from raypx.ai.runtime import AIRuntime
from raypx.ai.tokens import count_message_tokens, count_tokens
from raypx.db.engine import SessionFactory, transaction
from raypx.db.enums import MessageRole, RunStatus
from raypx.db.models import Message, Profile, Run
from raypx.errors import Invalid
from raypx.usage import service as usage

log = logging.getLogger(__name__)
MAX_MESSAGE_CHARS = 100_000
# The history a turn may send: the newest messages, at most this many, and no more characters
# than the window could hold if every token were this many characters (English runs about 4).
HISTORY_MESSAGES = 100
MAX_CHARS_PER_TOKEN = 8
MESSAGE_OVERHEAD_TOKENS = 3  # per message, as count_message_tokens counts it
# Streams still being recorded after their client left; kept so they are not garbage-collected.
_background: set[asyncio.Task[None]] = set()


@dataclass(frozen=True)
class Turn:
    run_id: uuid.UUID
    user_message_id: uuid.UUID
    request: CompletionRequest
    trimmed: int  # earlier messages left out to fit the model's window
    # Hook for features built on chat (grounded answers): runs in the transaction that records
    # the reply, so what it writes (citations) commits with the reply or not at all.
    on_finish: Callable[[AsyncSession, Message | None], Awaitable[None]] | None = None


@dataclass(frozen=True)
class TurnResult:
    run_id: uuid.UUID
    user_message: Message
    assistant_message: Message | None
    run_status: RunStatus
    usage: Usage
    error: str | None = None


async def start_turn(
    factory: SessionFactory,
    runtime: AIRuntime,
    user_id: str,
    conversation_id: uuid.UUID,
    content: str,
    model: str | None,
    feature: str = Feature.CHAT.value,
) -> Turn:
    if not content.strip():
        raise Invalid("message is empty", code="EMPTY_MESSAGE")
    if len(content) > MAX_MESSAGE_CHARS:
        raise Invalid(
            f"message is longer than {MAX_MESSAGE_CHARS} characters", code="INPUT_TOO_LONG"
        )
    async with transaction(factory) as session:
        await conversations.get_conversation(session, user_id, conversation_id)
        spec = await runs.admit(session, runtime, user_id, model, content)
        message = Message(
            conversation_id=conversation_id, user_id=user_id, role=MessageRole.USER, content=content
        )
        run = Run(
            user_id=user_id, conversation_id=conversation_id, feature=feature,
            model=spec.name, prompt=content, status=RunStatus.RUNNING,
        )  # fmt: skip
        session.add_all([message, run])
        await session.flush()
        profile = await session.scalar(select(Profile).where(Profile.user_id == user_id))
    # The admission's commit released the user's quota lock: reading the history, which grows
    # with the conversation, holds up none of the user's other requests.
    tone = profile.output_tone if profile else "professional"
    locale = profile.preferred_locale if profile else "en-US"
    system = system_prompt(Task.CHAT, tone, locale)
    async with transaction(factory) as session:
        tail = await conversations.recent_history(
            session, conversation_id, up_to=message.id, limit=HISTORY_MESSAGES,
            max_characters=input_budget(spec) * MAX_CHARS_PER_TOKEN,
        )  # fmt: skip
    messages, left_out = fit_history(spec, system, tail.messages)
    request = CompletionRequest(
        spec, messages, task=Task.CHAT.value, input_text=content, options={"tone": tone}
    )
    return Turn(run.id, message.id, request, tail.older + left_out)


def fit_history(spec: ModelSpec, system: str, past: list[Message]) -> tuple[list[ChatMessage], int]:
    """The system prompt and as many recent messages as fit the window; oldest dropped first.

    Each message is counted once (the prompt's size is a sum of per-message costs), so fitting
    is linear in the messages offered; the newest is always kept.
    """
    budget = input_budget(spec)
    size = count_message_tokens([{"content": system}])
    kept: list[ChatMessage] = []
    for message in reversed(past):
        cost = MESSAGE_OVERHEAD_TOKENS + count_tokens(message.content)
        if size + cost > budget and kept:
            break
        size += cost
        kept.append(ChatMessage(message.role.value, message.content))
    kept.reverse()
    return [ChatMessage("system", system), *kept], len(past) - len(kept)


async def finish_turn(
    factory: SessionFactory, turn: Turn, completion: Completion | None, error: ProviderError | None
) -> TurnResult:
    spec = turn.request.model
    async with transaction(factory) as session:
        run = await session.get(Run, turn.run_id, with_for_update=True)
        user_message = await session.get(Message, turn.user_message_id)
        assert run is not None and user_message is not None
        consumed = completion.usage if completion else Usage(0, 0)
        billed = await usage.record_run_usage(
            session, user_id=run.user_id, run_id=run.id, model=spec, feature=run.feature,
            usage=consumed,
        )  # fmt: skip
        if not billed:
            # Already recorded: a retry after a commit whose answer was lost, or the sweep
            # got there first. Nothing is written twice.
            return TurnResult(run.id, user_message, None, run.status, consumed, run.error_message)
        reply: Message | None = None
        text = completion.text if completion else ""
        if text:
            reply = Message(
                conversation_id=run.conversation_id or user_message.conversation_id,
                user_id=run.user_id, role=MessageRole.ASSISTANT, content=text, model=spec.name,
            )  # fmt: skip
            session.add(reply)
        run.response_text = text or None
        if run.status != RunStatus.CANCELLED:  # a cancel during the reply stands
            run.status = RunStatus.FAILED if error else RunStatus.SUCCEEDED
            run.error_message = error.message if error else None
        await session.flush()
        if turn.on_finish is not None:
            await turn.on_finish(session, reply)
        return TurnResult(
            run.id, user_message, reply, run.status, consumed, error.message if error else None
        )


def record(
    factory: SessionFactory, turn: Turn, completion: Completion | None, error: ProviderError | None
) -> Awaitable[TurnResult]:
    """finish_turn, retried in the background through a database outage."""
    return turn_recording.settle(lambda: finish_turn(factory, turn, completion, error), turn.run_id)


def heartbeat(
    factory: SessionFactory, runtime: AIRuntime, turn: Turn
) -> AbstractAsyncContextManager[None]:
    return turn_recording.keep_alive(factory, turn.run_id, runtime.settings.job_lease_seconds / 3)


def unexpected(exc: BaseException) -> ProviderError:
    """Any other failure still ends the turn, as a failed run with a plain message."""
    if isinstance(exc, asyncio.CancelledError):
        return ProviderError("the reply was interrupted (server shutting down)")
    log.error("chat turn failed unexpectedly: %s", type(exc).__name__)
    return ProviderError(f"internal error ({type(exc).__name__})")


async def reply(factory: SessionFactory, runtime: AIRuntime, turn: Turn) -> TurnResult:
    provider = runtime.providers.for_model(turn.request.model)
    try:
        async with heartbeat(factory, runtime, turn):
            completion = await provider.complete(turn.request)
    except ProviderError as exc:
        return await record(factory, turn, None, exc)
    except (Exception, asyncio.CancelledError) as exc:
        await asyncio.shield(record(factory, turn, None, unexpected(exc)))
        raise
    return await record(factory, turn, completion, None)


async def stream_reply(
    factory: SessionFactory, runtime: AIRuntime, turn: Turn
) -> AsyncIterator[str | TurnResult]:
    """Deltas as they come, then the TurnResult. The turn is recorded even if nobody listens."""
    events: asyncio.Queue[str | TurnResult | BaseException] = asyncio.Queue()

    async def produce() -> None:
        provider = runtime.providers.for_model(turn.request.model)
        parts: list[str] = []
        try:
            try:
                async with heartbeat(factory, runtime, turn):
                    async for item in provider.stream(turn.request):
                        if isinstance(item, Completion):
                            completion = item
                            break
                        parts.append(item)
                        events.put_nowait(item)
                    else:
                        raise StreamInterrupted(
                            "the model's stream ended early", partial(turn, parts)
                        )
                result = await record(factory, turn, completion, None)
            except StreamInterrupted as exc:
                result = await record(factory, turn, exc.partial, exc)
            except ProviderError as exc:
                result = await record(factory, turn, partial(turn, parts), exc)
            except (Exception, asyncio.CancelledError) as exc:
                finishing = record(factory, turn, partial(turn, parts), unexpected(exc))
                result = await asyncio.shield(finishing)
                if isinstance(exc, asyncio.CancelledError):
                    events.put_nowait(result)
                    raise
            events.put_nowait(result)
        except BaseException as exc:  # recorded below; the listener (if any) gets the error
            log.exception("chat turn %s could not be recorded", turn.run_id)
            events.put_nowait(exc)

    producer = asyncio.create_task(produce())
    _background.add(producer)
    producer.add_done_callback(_background.discard)
    while True:
        event = await events.get()
        if isinstance(event, BaseException):
            raise event
        yield event
        if isinstance(event, TurnResult):
            return


async def drain(within: float) -> None:
    """On shutdown: let streams whose clients left finish recording, within `within` seconds."""
    pending = [*_background, *turn_recording.retrying()]
    if not pending:
        return
    try:
        async with asyncio.timeout(within):
            await asyncio.gather(*pending, return_exceptions=True)
    except TimeoutError:
        for task in pending:
            task.cancel()


def partial(turn: Turn, parts: list[str]) -> Completion:
    text = "".join(parts)
    prompt = count_message_tokens([m.as_dict() for m in turn.request.messages])
    return Completion(text, "interrupted", Usage(prompt, count_tokens(text), estimated=True))
