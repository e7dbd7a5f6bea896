"""Answers grounded in retrieved passages: the prompt for real models, and the offline answer.

Passages are numbered [1], [2]…; a model is told to answer only from them and cite by number.
The offline model (`mock:raypx-1`) answers extractively: the passage sentences that share the
most content words (or CJK bigrams) with the question, each followed by its citation marker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from raypx.ai.sentences import content_terms
from raypx.search import language

MAX_ANSWER_SENTENCES = 3
NOT_FOUND = "I could not find the answer in your documents."
CITATION = re.compile(r"\[(\d{1,3})\]")
CJK_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]?")

INSTRUCTIONS = (
    "Answer the question using only the numbered passages from the user's documents. After "
    "each statement, cite the passage it comes from as [1], [2]… If the passages do not "
    f"contain the answer, say so ({NOT_FOUND!r}) instead of guessing."
)


@dataclass(frozen=True)
class Passage:
    number: int
    source: str  # "walden.txt, p. 3"
    text: str


def prompt(question: str, passages: list[Passage]) -> str:
    blocks = [f"[{p.number}] ({p.source})\n{p.text}" for p in passages]
    return "Passages:\n\n" + "\n\n".join(blocks) + f"\n\nQuestion: {question}"


def cited_numbers(answer: str) -> list[int]:
    return list(dict.fromkeys(int(n) for n in CITATION.findall(answer)))


def terms(text: str) -> set[str]:
    found = set(content_terms(text))
    for run in language.CJK_RUN.findall(text):
        found.update(language.bigrams(run))
    return found


def sentences(text: str) -> list[str]:
    flat = " ".join(text.split())
    pieces = re.split(r"(?<=[.!?])\s+(?=[\"'“‘(\[]?[A-Z0-9])", flat)
    out: list[str] = []
    for piece in pieces:
        out += (
            [s.strip() for s in CJK_SENTENCE.findall(piece)]
            if language.CJK_RUN.search(piece)
            else [piece.strip()]
        )
    return [s for s in out if s]


def extractive_answer(question: str, passages: list[Passage]) -> str:
    """The best-matching sentences of the passages, in passage order, each cited."""
    wanted = terms(question)
    scored: list[tuple[float, int, int, str]] = []
    for rank, passage in enumerate(passages):
        for position, sentence in enumerate(sentences(passage.text)):
            overlap = len(wanted & terms(sentence))
            if overlap:
                # Ties go to better-ranked passages, then earlier sentences.
                scored.append((overlap - rank * 0.01, -position, passage.number, sentence))
    if not scored:
        return NOT_FOUND
    best = sorted(scored, reverse=True)[:MAX_ANSWER_SENTENCES]
    top = best[0][0]
    kept = [item for item in best if item[0] >= top / 2]
    kept.sort(key=lambda item: (item[2], -item[1]))
    return " ".join(f"{sentence} [{number}]" for _, _, number, sentence in kept)
