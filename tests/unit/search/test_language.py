"""Language detection, CJK bigrams and the tsquery text built from a query."""

from __future__ import annotations

from raypx.search import fulltext, language
from raypx.search.snippets import make_snippet


def test_languages_are_told_apart_by_their_stop_words() -> None:
    assert language.detect_language("The cat sat on the mat and it was happy.") == "english"
    assert language.detect_language("Der Hund und die Katze sind nicht im Haus.") == "german"
    assert language.detect_language("Le chat et le chien sont dans la maison.") == "french"
    assert language.detect_language("我们把汉字切分成二元组来建立索引。") == "simple"
    assert language.detect_language("12345") == "english"


def test_cjk_runs_become_bigrams_and_tags_do_not_hide_words() -> None:
    assert language.index_text("全文检索 ok") == " 全文 文检 检索  ok"
    assert language.index_text("<b>bold</b>") == " b bold /b "


def test_queries_quote_every_term_so_syntax_cannot_be_injected() -> None:
    assert fulltext.build_queries("whale's & | !ship") == (
        "'whale' & 's' & 'ship'",
        "'whale' | 's' | 'ship'",
    )
    assert fulltext.build_queries("全文检索 汉") == (
        "('全文' <-> '文检' <-> '检索') & '汉':*",
        "'全文' | '文检' | '检索' | '汉':*",
    )
    assert fulltext.build_queries("?! --") is None


def test_snippets_centre_on_the_matches() -> None:
    content = "filler words here. " * 40 + "The lighthouse keeper rang the bell."
    snippet = make_snippet(content, "lighthouse bell")
    assert snippet.text.startswith("…") and snippet.text.endswith("bell.")
    assert [snippet.text[s:e] for s, e in snippet.highlights] == ["lighthouse", "bell"]
