"""GET /api/search: ranked, language-aware, Chinese without extensions, owner-scoped, safe."""

from __future__ import annotations

import json

from sqlalchemy.engine import URL

from tests.integration.ai.test_ai_cli import raypx
from tests.integration.search.conftest import SearchApi
from tests.unit.documents.samples import make_pdf

WHALES = (
    "The whales were breaching near the harbour at dawn. Fishermen counted seven of them. "
    "Later the pod moved north toward the cold water."
)
GARDEN = "The garden was quiet. Roses and tulips grew along the wall, and a fountain murmured."
CHINESE = (
    "第一章 总则\n\n全文检索系统可以在大量文档中快速找到相关的段落。"
    "中文没有空格分词，所以需要特别的方法。\n\n第二章 方法\n\n我们把汉字切分成二元组来建立索引。"
)
GERMAN = (
    "Die Häuser in der Altstadt sind sehr alt. Die meisten wurden im Mittelalter gebaut und "
    "sind heute ein Museum. Wir gehen oft durch die Straßen und sehen die alten Häuser."
)


async def test_english_words_match_their_inflections_and_are_highlighted(api: SearchApi) -> None:
    headers = await api.sign_up()
    whales = await api.processed(headers, WHALES, "whales.txt")
    await api.processed(headers, GARDEN, "garden.txt")
    response = await api.search(headers, "whale breach")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["mode"] == "fulltext"
    [hit] = body["results"]
    assert hit["document_id"] == whales and hit["document_title"] == "whales.txt"
    assert hit["chunk_index"] == 0 and hit["page_start"] is None
    marked = [hit["snippet"][s:e] for s, e in hit["highlights"]]
    assert marked == ["whales", "breaching"]
    assert "<mark>whales</mark> were <mark>breaching</mark>" in hit["snippet_html"]


async def test_all_terms_rank_above_some_terms(api: SearchApi) -> None:
    headers = await api.sign_up()
    both = await api.processed(headers, WHALES, "whales.txt")
    one = await api.processed(headers, "A single whale was seen once, far away.", "one.txt")
    results = (await api.search(headers, "whales harbour")).json()["results"]
    assert [r["document_id"] for r in results] == [both, one]
    assert results[0]["score"] > results[1]["score"]


async def test_chinese_substrings_are_found_without_extensions(api: SearchApi) -> None:
    headers = await api.sign_up()
    document = await api.processed(headers, CHINESE, "zh.txt")
    for query, expected in (("检索", "全文检索"), ("二元组", "二元组"), ("汉", "汉")):
        results = (await api.search(headers, query)).json()["results"]
        assert [r["document_id"] for r in results] == [document], query
        hit = results[0]
        assert any(expected in hit["snippet"][s:e] or hit["snippet"][s:e] in expected
                   for s, e in hit["highlights"]), (query, hit)  # fmt: skip
    # A phrase that is not in the text (its characters are) does not match every term.
    results = (await api.search(headers, "索检")).json()["results"]
    assert results == []
    heading = (await api.search(headers, "二元组")).json()["results"][0]["heading"]
    assert heading == "第二章 方法"


async def test_german_text_is_stemmed_as_german(api: SearchApi) -> None:
    headers = await api.sign_up()
    document = await api.processed(headers, GERMAN, "altstadt.txt")
    rows = await api.rows("SELECT DISTINCT language FROM document_chunk")
    assert rows == [("german",)]
    results = (await api.search(headers, "Haus")).json()["results"]
    assert [r["document_id"] for r in results] == [document]


async def test_pdf_hits_carry_their_page(api: SearchApi) -> None:
    headers = await api.sign_up()
    pages = ["Minutes of the meeting. " * 40, "The treasurer reported a surplus of funds. " * 30]
    response = await api.upload(headers, make_pdf(pages), "minutes.pdf", "application/pdf")
    await api.settled(headers, response.json()["id"])
    results = (await api.search(headers, "treasurer surplus")).json()["results"]
    assert results and all(r["page_end"] == 2 for r in results)
    minutes = (await api.search(headers, "minutes meeting")).json()["results"]
    assert minutes[0]["page_start"] == 1


async def test_only_the_callers_documents_are_searched(api: SearchApi) -> None:
    alice, bob = await api.sign_up("Alice"), await api.sign_up("Bob")
    await api.processed(alice, WHALES)
    assert (await api.search(bob, "whales")).json()["results"] == []
    assert len((await api.search(alice, "whales")).json()["results"]) == 1


async def test_snippets_are_safe_to_insert_as_html(api: SearchApi) -> None:
    headers = await api.sign_up()
    await api.processed(headers, 'In Markdown, write <img src=x onerror="whale()"> & friends.')
    [hit] = (await api.search(headers, "whale")).json()["results"]
    assert "<img" in hit["snippet"]
    assert "<img" not in hit["snippet_html"]
    assert "&lt;img src=x onerror=&quot;<mark>whale</mark>()&quot;&gt; &amp;" in hit["snippet_html"]


async def test_bad_queries_get_clear_errors(api: SearchApi) -> None:
    headers = await api.sign_up()
    empty = await api.search(headers, "   ")
    assert empty.status_code == 400 and empty.json()["code"] == "EMPTY_QUERY"
    long = await api.search(headers, "x" * 501)
    assert long.status_code == 400 and long.json()["code"] == "QUERY_TOO_LONG"
    punctuation = await api.search(headers, "?!'&|")
    assert punctuation.status_code == 200 and punctuation.json()["results"] == []
    anonymous = await api.client.get("/api/search", params={"q": "whale"})
    assert anonymous.status_code == 401


async def test_cli_search_prints_the_users_passages(api: SearchApi, database_url: URL) -> None:
    headers = await api.sign_up()
    await api.processed(headers, WHALES, "whales.txt")
    email = (await api.client.get("/api/me", headers=headers)).json()["user"]["email"]
    shown = await raypx(database_url, "search", "whale", "--user", email)
    assert shown.returncode == 0, shown.stderr
    assert "1. whales.txt" in shown.stdout and "The whales were breaching" in shown.stdout
    as_json = await raypx(database_url, "search", "whale", "--user", email, "--json")
    assert json.loads(as_json.stdout)["results"][0]["document_title"] == "whales.txt"
    unknown = await raypx(database_url, "search", "whale", "--user", "nobody@example.com")
    assert unknown.returncode == 2 and "nobody@example.com" in unknown.stderr
