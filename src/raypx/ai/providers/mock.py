"""`mock:raypx-1`: offline, deterministic, free, and useful.

Summaries come from the project's LexRank summariser, rewrites from the tone rules, extraction
from the pattern extractor, chat replies from the conversation itself. Same input, same output,
on every machine. Tokens are counted with the real cl100k tokenizer.

All of it is pure-Python CPU work: long inputs are computed in the offload pool, so a long
summary never stalls the event loop (streams, heartbeats, shutdown) that awaits it.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

from raypx import offload
from raypx.ai import extractor, grounded, rewriter, summarizer
from raypx.ai.providers.base import ChatMessage, Completion, CompletionRequest, Usage
from raypx.ai.sentences import split_sentences
from raypx.ai.sentences import words as split_words
from raypx.ai.tokens import count_message_tokens, count_tokens

# Below this many characters a completion takes a few milliseconds: not worth a process hop.
INLINE_CHARACTERS = 20_000


class MockProvider:
    async def complete(self, request: CompletionRequest) -> Completion:
        size = len(request.input_text) + sum(len(m.content) for m in request.messages)
        if size <= INLINE_CHARACTERS:
            return complete_now(request)
        return await offload.run(complete_now, request)

    async def stream(self, request: CompletionRequest) -> AsyncIterator[str | Completion]:
        completion = await self.complete(request)
        for piece in re.findall(r"\S+\s*|\s+", completion.text):
            yield piece
        yield completion


def complete_now(request: CompletionRequest) -> Completion:
    """The whole completion, blocking (module-level so the offload pool can run it)."""
    text = respond(request)
    finish = "stop"
    if request.max_output_tokens is not None and count_tokens(text) > request.max_output_tokens:
        text = truncate_to_tokens(text, request.max_output_tokens)
        finish = "length"
    usage = Usage(
        input_tokens=count_message_tokens([m.as_dict() for m in request.messages]),
        output_tokens=count_tokens(text),
    )
    return Completion(text=text, finish_reason=finish, usage=usage)


def respond(request: CompletionRequest) -> str:
    options = request.options
    if request.task == "summarize":
        return summarizer.summarize(
            request.input_text, max_sentences=options.get("max_sentences")
        ).text
    if request.task == "rewrite":
        return rewriter.rewrite(request.input_text, options.get("tone", "professional"))
    if request.task == "extraction":
        return json.dumps(extractor.extract(request.input_text), ensure_ascii=False)
    if request.task == "ask":
        return grounded.extractive_answer(request.input_text, options.get("passages", []))
    return chat_reply(request.messages)


def chat_reply(messages: list[ChatMessage]) -> str:
    """A reply built from the conversation: what was asked, its key points, what the model is."""
    user_turns = [m.content for m in messages if m.role == "user"]
    if not user_turns:
        return "Hello! I am the offline Raypx model. Send me some text to work with."
    last = user_turns[-1].strip()
    key_points = summarizer.summarize(last, max_sentences=2).sentences
    found = extractor.extract(last)
    parts = [f"You wrote {len(split_words(last))} words (message {len(user_turns)})."]
    if key_points and len(split_sentences(last)) > 2:
        parts.append("Key points: " + " ".join(key_points))
    details = [
        f"{len(found[k])} {label}"
        for k, label in (("dates", "date(s)"), ("amounts", "amount(s)"), ("emails", "email(s)"),
                         ("urls", "link(s)"))
        if found[k]
    ]  # fmt: skip
    if details:
        parts.append("I noticed " + ", ".join(details) + ".")
    if last.endswith("?"):
        parts.append(
            "I am the offline mock model (mock:raypx-1): I can summarise, rewrite and extract, "
            "but I cannot look things up or reason about facts."
        )
    return " ".join(parts)


def truncate_to_tokens(text: str, limit: int) -> str:
    """The longest whole-word prefix within `limit` tokens (binary search: a prefix never has
    fewer tokens than a shorter one, and recounting word by word was quadratic)."""
    words = re.findall(r"\S+\s*", text)
    low, high = 0, len(words)  # words[:low] fits; words[:high + 1] does not
    while low < high:
        middle = (low + high + 1) // 2
        if count_tokens("".join(words[:middle])) <= limit:
            low = middle
        else:
            high = middle - 1
    return "".join(words[:low]).rstrip()
