"""Sentence splitting and word tokens for the offline engines (no NLTK data downloads)."""

from __future__ import annotations

import re
from functools import lru_cache

# Abbreviations whose period does not end a sentence.
ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "inc", "ltd", "co", "corp",
    "e.g", "i.e", "u.s", "u.k", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "no", "fig", "approx", "dept", "est", "mt", "gen", "gov", "rep", "sen",
}  # fmt: skip
STOPWORDS = frozenset(
    " ".join(
        [
            "a about above after again against all am an and any are as at be because been before",
            "being below between both but by can could did do does doing down during each few for",
            "from further had has have having he her here hers herself him himself his how i if in",
            "into is it its itself just me more most my myself no nor not now of off on once only",
            "or other our ours ourselves out over own same she should so some such than that the",
            "their theirs them themselves then there these they this those through to too under",
            "until up very was we were what when where which while who whom why will with would",
            "you your yours yourself yourselves also may might must shall one two new said says",
            "per",
        ]
    ).split()
)
CANDIDATE_END = re.compile(r"([.!?]+)([\"'”’)\]]*)(\s+)(?=[\"'“‘(\[]?[A-Z0-9])")
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")


def split_paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def split_sentences(text: str) -> list[str]:
    """Sentences in order. Line breaks inside a paragraph are joined; blank lines always split."""
    sentences: list[str] = []
    for paragraph in split_paragraphs(text):
        flat = re.sub(r"\s+", " ", paragraph)
        start = 0
        for match in CANDIDATE_END.finditer(flat):
            before = flat[start : match.start()].rsplit(" ", 1)[-1].lower().rstrip(".")
            if match.group(1) == "." and (
                before in ABBREVIATIONS or re.fullmatch(r"[a-z]", before)
            ):
                continue
            end = match.end(2)
            sentences.append(flat[start:end].strip())
            start = match.end()
        tail = flat[start:].strip()
        if tail:
            sentences.append(tail)
    return sentences


def words(text: str) -> list[str]:
    return WORD.findall(text)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix stripper: enough to match 'summaries' with 'summary' and 'running' with
    'runs' for similarity, without a stemming library."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    for suffix, keep in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("edly", ""), ("ed", ""),
                         ("ly", ""), ("es", ""), ("s", "")):  # fmt: skip
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            return w[: len(w) - len(suffix)] + keep
    return w


def content_terms(sentence: str) -> list[str]:
    """Stemmed non-stopword terms of a sentence."""
    return [stem(w) for w in words(sentence) if w.lower() not in STOPWORDS and len(w) > 1]
