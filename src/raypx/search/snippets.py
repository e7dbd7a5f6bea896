"""Highlighted snippets, made in Python so Chinese highlights too and HTML is always safe.

ts_headline would mark words but not the CJK bigrams the index is built from, and returns
markup inside user text. Here a snippet is plain text plus `[start, end)` offsets of its
matches; `html` is the same with every character escaped and matches wrapped in <mark>.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from raypx.ai.sentences import STOPWORDS as ENGLISH_STOPWORDS
from raypx.search import language

SNIPPET_CHARS = 280
LEAD_CHARS = 60  # context kept before the first match
ELLIPSIS = "…"
WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Snippet:
    text: str
    highlights: list[tuple[int, int]]

    @property
    def html(self) -> str:
        parts, cursor = [], 0
        for start, end in self.highlights:
            parts.append(html.escape(self.text[cursor:start]))
            parts.append(f"<mark>{html.escape(self.text[start:end])}</mark>")
            cursor = end
        parts.append(html.escape(self.text[cursor:]))
        return "".join(parts)


def _word_matches(word: str, wanted: str) -> bool:
    """Same word up to an inflection: shares all but the last two letters of the shorter."""
    word, wanted = word.lower(), wanted.lower()
    shorter = min(len(word), len(wanted))
    need = min(shorter, max(3, shorter - 2))
    return word[:need] == wanted[:need] and abs(len(word) - len(wanted)) <= 4


def match_spans(content: str, query: str) -> list[tuple[int, int]]:
    """Where the query's words and CJK bigrams occur in `content`, merged and in order."""
    stop = ENGLISH_STOPWORDS.union(*language.WORDS.values())
    words, grams = [], set()
    for term in language.query_terms(query):
        if isinstance(term, list):
            grams.update(term)
        elif term.lower() not in stop:
            words.append(term)
    spans: list[tuple[int, int]] = []
    if words:
        for match in WORD.finditer(content):
            if not language.CJK_RUN.fullmatch(match.group()) and any(
                _word_matches(match.group(), w) for w in words
            ):
                spans.append(match.span())
    for gram in grams:
        for found in re.finditer(re.escape(gram), content):
            spans.append(found.span())
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def make_snippet(content: str, query: str, size: int = SNIPPET_CHARS) -> Snippet:
    """The window of `content` with the most matches, cut at word boundaries."""
    spans = match_spans(content, query)
    start = 0
    if spans:
        best = max(spans, key=lambda s: sum(1 for o in spans if s[0] <= o[0] < s[0] + size))
        start = max(0, best[0] - LEAD_CHARS)
        while 0 < start < len(content) and not content[start - 1].isspace() and best[0] - start:
            if language.CJK_RUN.match(content[start]):
                break
            start += 1
    end = min(len(content), start + size)
    while end < len(content) and not content[end].isspace() and end - start < size + 20:
        end += 1
    body = " ".join(content[start:end].split())
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(content) else ""
    text = prefix + body + suffix
    # Matched again in the whitespace-normalised body, so offsets are the snippet's own.
    highlights = [(s + len(prefix), e + len(prefix)) for s, e in match_spans(body, query)]
    return Snippet(text, highlights)
