"""Extractive summariser: LexRank (TF-IDF cosine graph + PageRank) with a lead bias.

Written here so the offline default needs no model weights or NLTK data. Long inputs are
summarised hierarchically: blocks of sentences are ranked on their own, their best sentences are
ranked again, so the graph never grows quadratic in the whole document.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from raypx.ai.sentences import content_terms, split_sentences

BLOCK = 120  # sentences ranked together; keeps each graph small (BLOCK² pairs at most)
DAMPING = 0.85
EDGE_THRESHOLD = 0.08  # cosine below this is noise, not an edge
REDUNDANT = 0.65  # a sentence this similar to one already chosen adds nothing


@dataclass(frozen=True)
class Summary:
    text: str
    sentences: list[str]
    source_sentences: int


def default_length(n_sentences: int) -> int:
    return max(1, min(7, round(n_sentences * 0.2)))


def summarize(text: str, *, max_sentences: int | None = None) -> Summary:
    sentences = split_sentences(text)
    if not sentences:
        return Summary("", [], 0)
    k = max_sentences or default_length(len(sentences))
    terms = [content_terms(s) for s in sentences]
    idf = inverse_document_frequency(terms)
    indexes = list(range(len(sentences)))
    # Reduce block by block until one graph holds what is left.
    while len(indexes) > BLOCK:
        keep_per_block = max(k, BLOCK // 4)
        reduced: list[int] = []
        for start in range(0, len(indexes), BLOCK):
            block = indexes[start : start + BLOCK]
            reduced += select(block, terms, idf, keep_per_block)
        if len(reduced) >= len(indexes):
            break
        indexes = reduced
    chosen = select(indexes, terms, idf, k)
    picked = [sentences[i] for i in chosen]
    return Summary(" ".join(picked), picked, len(sentences))


def inverse_document_frequency(terms: list[list[str]]) -> dict[str, float]:
    df: Counter[str] = Counter()
    for sentence_terms in terms:
        df.update(set(sentence_terms))
    n = len(terms)
    return {t: math.log((1 + n) / (1 + c)) + 1.0 for t, c in df.items()}


def select(indexes: list[int], terms: list[list[str]], idf: dict[str, float], k: int) -> list[int]:
    """The k best sentences among `indexes`, returned in document order."""
    if len(indexes) <= k:
        return list(indexes)
    vectors = [tfidf(terms[i], idf) for i in indexes]
    similarity = cosine_graph(vectors)
    ranks = pagerank(similarity, len(indexes))
    scores = []
    for position, i in enumerate(indexes):
        n_words = len(terms[i])
        # Lead bias (news and reports put the point first) and a penalty for fragments.
        lead = 1.0 + 0.6 / (1 + position)
        shape = 0.3 if n_words < 4 else 1.0
        scores.append((ranks[position] * lead * shape, -i, position))
    scores.sort(reverse=True)
    chosen: list[int] = []
    for _score, _neg, position in scores:
        if any(similarity[position].get(other, 0.0) > REDUNDANT for other in chosen):
            continue
        chosen.append(position)
        if len(chosen) == k:
            break
    return sorted(indexes[p] for p in chosen)


def tfidf(sentence_terms: list[str], idf: dict[str, float]) -> dict[str, float]:
    counts = Counter(sentence_terms)
    vector = {t: c * idf[t] for t, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {t: v / norm for t, v in vector.items()}


def cosine_graph(vectors: list[dict[str, float]]) -> list[dict[int, float]]:
    """Sparse symmetric cosine similarities, computed only for sentences sharing a term."""
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for i, vector in enumerate(vectors):
        for term, weight in vector.items():
            postings[term].append((i, weight))
    dots: list[dict[int, float]] = [defaultdict(float) for _ in vectors]
    for posting in postings.values():
        for a in range(len(posting)):
            i, wi = posting[a]
            row = dots[i]
            for j, wj in posting[a + 1 :]:
                row[j] += wi * wj
    graph: list[dict[int, float]] = [{} for _ in vectors]
    for i, row in enumerate(dots):
        for j, value in row.items():
            if value >= EDGE_THRESHOLD:
                graph[i][j] = value
                graph[j][i] = value
    return graph


def pagerank(graph: list[dict[int, float]], n: int, iterations: int = 40) -> list[float]:
    out_weight = [sum(edges.values()) for edges in graph]
    rank = [1.0 / n] * n
    base = (1.0 - DAMPING) / n
    for _ in range(iterations):
        dangling = sum(rank[i] for i in range(n) if out_weight[i] == 0.0) / n
        new = [base + DAMPING * dangling] * n
        for i, edges in enumerate(graph):
            if out_weight[i] == 0.0:
                continue
            share = DAMPING * rank[i] / out_weight[i]
            for j, weight in edges.items():
                new[j] += share * weight
        delta = sum(abs(a - b) for a, b in zip(new, rank, strict=True))
        rank = new
        if delta < 1e-6:
            break
    return rank
