"""Which PostgreSQL text search configuration fits a text, and Chinese/Japanese without extensions.

PostgreSQL's parser cannot segment CJK text: a whole run of Han characters becomes one token,
so "检索" never matches inside "全文检索系统". Rather than ship a segmenter extension (zhparser,
pg_jieba) that external servers would need too, CJK runs are rewritten in Python into
overlapping character bigrams ("全文 文检 检索 索系 系统"), the approach of Lucene's CJK
analyzer, and indexed like words. The query gets the same rewrite, so a bigram phrase
matches any substring of two or more characters. Other text uses the Snowball configuration of
its language, detected from stop words.
"""

from __future__ import annotations

import re
from collections import Counter

SIMPLE = "simple"
DEFAULT = "english"
# Han, Hiragana, Katakana, Hangul syllables, CJK punctuation excluded.
CJK_CHAR = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
CJK_RUN = re.compile(f"[{CJK_CHAR}]+")
LATIN_WORD = re.compile(r"[^\W\d_]+")

STOPWORDS = {
    "english": "the and of to in is that it was for with as his on be at by this had not are but",
    "german": "der die und den das ist nicht mit sich des auf ein eine dem zu von im auch als wie",
    "french": "le la les et des est une que dans qui pas pour sur au avec ce il elle du sont aux",
    "spanish": "el la los las que del por una con para como más pero sus fue este ha entre sin",
    "italian": "il di che la per una sono della gli con non del le questo alla anche più nel",
    "portuguese": "os que da do em um uma para com não uma das dos como mais pelo pela foi são",
    "dutch": "de het een en van ik te dat die niet zijn op aan met voor er maar om ook als bij",
}
WORDS = {config: frozenset(words.split()) for config, words in STOPWORDS.items()}
CONFIGS = (SIMPLE, *STOPWORDS)


def cjk_share(text: str) -> float:
    sample = text[:20_000]
    cjk = sum(len(run) for run in CJK_RUN.findall(sample))
    latin = sum(len(word) for word in LATIN_WORD.findall(sample)) - cjk
    return cjk / max(1, cjk + max(latin, 0))


def detect_language(text: str) -> str:
    """The configuration for `text`: `simple` for mostly-CJK text, else the language whose stop
    words are most frequent (English when none stands out)."""
    if cjk_share(text) > 0.3:
        return SIMPLE
    words = Counter(w.lower() for w in LATIN_WORD.findall(text[:20_000]))
    scores = {config: sum(words[w] for w in stop) for config, stop in WORDS.items()}
    best = max(scores, key=lambda config: scores[config])
    return best if scores[best] > scores[DEFAULT] * 1.2 else DEFAULT


def bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


# PostgreSQL's parser skips anything shaped like an XML tag: `<img src=x>` would vanish from
# the index, so angle brackets are indexed as spaces.
NO_TAGS = str.maketrans("<>", "  ")


def index_text(text: str) -> str:
    """`text` with every CJK run replaced by its bigrams, ready for to_tsvector."""
    return CJK_RUN.sub(lambda m: " " + " ".join(bigrams(m.group())) + " ", text.translate(NO_TAGS))


def query_terms(query: str) -> list[str | list[str]]:
    """The terms of a query: a word, or a CJK run as the bigrams that must follow each other."""
    terms: list[str | list[str]] = []
    for match in re.finditer(f"[{CJK_CHAR}]+|[^\\W_{CJK_CHAR}]+", query):
        token = match.group()
        if CJK_RUN.fullmatch(token):
            terms.append(bigrams(token))
        else:
            terms.append(token)
    return terms
