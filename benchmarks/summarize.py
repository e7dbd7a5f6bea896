"""Words per second of the offline summariser (mock:raypx-1) against sumy's TextRank.

Run:  pip install sumy && python benchmarks/summarize.py

Both summarise the same real English text (docstrings of the Python standard library, so the
input is the same on every machine with the same Python) to the same number of sentences. sumy
gets a regex tokenizer because its default needs NLTK data downloads. Its TextRank builds the
full sentence graph, so the 100,000-word case is timed on sumy once with a time cap.
"""

from __future__ import annotations

import importlib
import re
import statistics
import sys
import time
import warnings
from collections.abc import Callable

from raypx.ai.sentences import split_sentences, words
from raypx.ai.summarizer import summarize

SENTENCES = 5
SUMY_CAP_SECONDS = 600.0


def corpus(n_words: int) -> str:
    """Standard-library docstrings, in a fixed order, until `n_words` words."""
    chunks: list[str] = []
    count = 0
    warnings.simplefilter("ignore")
    # The standard library only, so the text does not depend on what else is installed.
    for name in sorted(sys.stdlib_module_names):
        if name.startswith("_") or name in {"antigravity", "this", "idlelib", "tkinter", "turtle"}:
            continue
        try:
            module = importlib.import_module(name)
        except BaseException:
            continue
        for obj in [module, *vars(module).values()]:
            doc = getattr(obj, "__doc__", None)
            if isinstance(doc, str) and len(doc) > 200 and doc not in chunks:
                text = re.sub(r"\s+", " ", doc).strip()
                chunks.append(text)
                count += len(text.split())
                if count >= n_words:
                    return "\n\n".join(chunks)
    return "\n\n".join(chunks)


def trim(text: str, n_words: int) -> str:
    return " ".join(text.split()[:n_words])


class RegexTokenizer:
    """What sumy needs from a tokenizer, without NLTK's downloaded models."""

    language = "english"

    def to_sentences(self, paragraph: str) -> list[str]:
        return split_sentences(paragraph)

    def to_words(self, sentence: str) -> list[str]:
        return words(sentence)


def sumy_textrank() -> Callable[[str], list[str]] | None:
    try:
        from sumy.nlp.stemmers import Stemmer
        from sumy.parsers.plaintext import PlaintextParser
        from sumy.summarizers.text_rank import TextRankSummarizer
    except ImportError:
        return None
    summarizer = TextRankSummarizer(Stemmer("english"))

    def run(text: str) -> list[str]:
        document = PlaintextParser.from_string(text, RegexTokenizer()).document
        return [str(s) for s in summarizer(document, SENTENCES)]

    return run


def timed(fn: Callable[[str], object], texts: list[str]) -> float:
    start = time.perf_counter()
    for text in texts:
        fn(text)
    return time.perf_counter() - start


def main() -> None:
    big = trim(corpus(100_000), 100_000)
    small = [trim(big[i * 7000 :], 1000) for i in range(50)]
    n_big, n_small = len(big.split()), sum(len(t.split()) for t in small)
    print(f"Python {sys.version.split()[0]}; input: stdlib docstrings")
    print(f"  one text of {n_big:,} words ({len(split_sentences(big)):,} sentences)")
    print(f"  {len(small)} texts of 1,000 words\n")

    ours = lambda t: summarize(t, max_sentences=SENTENCES)  # noqa: E731
    ours_big = statistics.median(timed(ours, [big]) for _ in range(3))
    ours_small = timed(ours, small)
    print(
        f"raypx mock summariser: {n_big / ours_big:>12,.0f} words/s (100k words, {ours_big:.2f} s)"
    )
    print(f"raypx mock summariser: {n_small / ours_small:>12,.0f} words/s (1k-word texts)")

    sumy = sumy_textrank()
    if sumy is None:
        print("\nsumy is not installed (pip install sumy): no comparison")
        return
    sumy_small = timed(sumy, small)
    print(f"sumy TextRank:         {n_small / sumy_small:>12,.0f} words/s (1k-word texts)")
    start = time.perf_counter()
    sumy(big)
    sumy_big = time.perf_counter() - start
    print(
        f"sumy TextRank:         {n_big / sumy_big:>12,.0f} words/s (100k words, {sumy_big:.2f} s)"
    )
    print(f"\nratio, 100k words:  raypx is {sumy_big / ours_big:,.1f}x sumy")
    print(f"ratio, 1k words:    raypx is {sumy_small / ours_small:,.1f}x sumy")


if __name__ == "__main__":
    main()
