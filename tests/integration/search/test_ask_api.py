"""Ask: a conversation's documents answer its questions, with stored citations, billed once."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.engine import URL

from tests.integration.ai.test_ai_cli import raypx
from tests.integration.ai.test_conversations_api import sse_events
from tests.integration.search.conftest import SearchApi
from tests.unit.documents.samples import make_pdf

HARBOUR = (
    "The harbour was built in 1820 by the merchants of the town. It shelters forty boats in "
    "winter. The lighthouse on the northern pier was added in 1856 after a storm sank three "
    "ships. Today the harbour master keeps a log of every arrival."
)
ORCHARD = (
    "The orchard grows apples and pears. The oldest tree was planted in 1901. Every autumn "
    "the village holds a cider festival under the trees."
)
CHINESE = "长城是中国古代的军事防御工程。长城的修建持续了两千多年。明朝修建的长城最为完整。"


async def conversation(api: SearchApi, headers: dict[str, str]) -> str:
    response = await api.client.post("/api/conversations", headers=headers, json={"title": "Q"})
    return str(response.json()["id"])


async def ask(
    api: SearchApi, headers: dict[str, str], conversation_id: str, question: str, **extra: Any
) -> dict[str, Any]:
    response = await api.client.post(
        f"/api/conversations/{conversation_id}/ask",
        headers=headers,
        json={"question": question, **extra},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_the_offline_model_answers_from_the_passage_and_cites_it(api: SearchApi) -> None:
    headers = await api.sign_up()
    harbour = await api.processed(headers, HARBOUR, "harbour.txt")
    await api.processed(headers, ORCHARD, "orchard.txt")
    chat = await conversation(api, headers)
    body = await ask(api, headers, chat, "When was the lighthouse added?")
    answer = body["assistant_message"]["content"]
    assert "The lighthouse on the northern pier was added in 1856" in answer
    assert answer.endswith("[1]")
    [citation] = body["citations"]
    assert citation["number"] == 1 and citation["document_id"] == harbour
    assert citation["document_title"] == "harbour.txt" and "1856" in citation["quote"]
    assert citation["message_id"] == body["assistant_message"]["id"]
    passage = await api.client.get(f"/api/search/chunks/{citation['chunk_id']}", headers=headers)
    assert passage.json()["content"] == HARBOUR

    stored = await api.client.get(f"/api/conversations/{chat}/citations", headers=headers)
    assert stored.json() == body["citations"]
    runs = await api.rows(
        "SELECT r.feature, r.status, u.metric, u.quantity FROM run r "
        "JOIN usage_event u ON u.run_id = r.id WHERE r.id = :id ORDER BY u.metric",
        id=uuid.UUID(body["run_id"]),
    )
    assert [(f, s, m) for f, s, m, _ in runs] == [
        ("ask", "succeeded", "ai_requests"), ("ask", "succeeded", "ai_tokens"),
    ]  # fmt: skip
    assert runs[1][3] == body["usage"]["input_tokens"] + body["usage"]["output_tokens"] > 50


async def test_streamed_answers_send_sources_deltas_and_citations(api: SearchApi) -> None:
    headers = await api.sign_up()
    pdf = make_pdf(["Page one is about nothing at all.", HARBOUR])
    response = await api.upload(headers, pdf, "harbour.pdf", "application/pdf")
    await api.settled(headers, response.json()["id"])
    chat = await conversation(api, headers)
    async with api.client.stream(
        "POST", f"/api/conversations/{chat}/ask", headers=headers,
        json={"question": "How many boats does the harbour shelter?", "stream": True},
    ) as stream:  # fmt: skip
        assert stream.headers["content-type"].startswith("text/event-stream")
        events = sse_events([line async for line in stream.aiter_lines()])
    names = [name for name, _ in events]
    assert names[:2] == ["run", "sources"] and names[-1] == "done" and "delta" in names
    sources = events[1][1]["sources"]
    assert sources[0]["number"] == 1 and sources[0]["document_title"] == "harbour.pdf"
    streamed = "".join(data["text"] for name, data in events if name == "delta")
    done = events[-1][1]
    assert done["assistant_message"]["content"] == streamed
    assert "forty boats" in streamed
    assert [(c["number"], c["page_start"], c["page_end"]) for c in done["citations"]] == [(1, 1, 2)]


async def test_attached_documents_bound_the_search(api: SearchApi) -> None:
    headers = await api.sign_up()
    harbour = await api.processed(headers, HARBOUR, "harbour.txt")
    orchard = await api.processed(headers, ORCHARD, "orchard.txt")
    chat = await conversation(api, headers)
    url = f"/api/conversations/{chat}/documents"
    assert (await api.client.get(url, headers=headers)).json() == {
        "all_documents": True, "documents": [],
    }  # fmt: skip
    attached = await api.client.put(url, headers=headers, json={"document_ids": [orchard]})
    assert attached.json() == {
        "all_documents": False, "documents": [{"id": orchard, "title": "orchard.txt"}],
    }  # fmt: skip
    body = await ask(api, headers, chat, "When was the lighthouse added?")
    assert body["citations"] == []
    assert body["assistant_message"]["content"] == "I could not find the answer in your documents."

    await api.client.put(url, headers=headers, json={"document_ids": None})
    body = await ask(api, headers, chat, "When was the lighthouse added?")
    assert [c["document_id"] for c in body["citations"]] == [harbour]


async def test_chinese_questions_find_chinese_passages(api: SearchApi) -> None:
    headers = await api.sign_up()
    await api.processed(headers, CHINESE, "great-wall.txt")
    chat = await conversation(api, headers)
    body = await ask(api, headers, chat, "明朝修建的长城怎么样？")
    assert "明朝修建的长城最为完整。 [1]" in body["assistant_message"]["content"]


async def test_other_users_documents_and_conversations_stay_out_of_reach(api: SearchApi) -> None:
    alice, bob = await api.sign_up("Alice"), await api.sign_up("Bob")
    alices = await api.processed(alice, HARBOUR)
    bobs_chat = await conversation(api, bob)
    url = f"/api/conversations/{bobs_chat}/documents"
    attach = await api.client.put(url, headers=bob, json={"document_ids": [alices]})
    assert (attach.status_code, attach.json()["code"]) == (404, "DOCUMENT_NOT_FOUND")
    body = await ask(api, bob, bobs_chat, "When was the lighthouse added?")
    assert body["citations"] == []
    peek = await api.client.get(f"/api/conversations/{bobs_chat}/citations", headers=alice)
    assert peek.status_code == 404
    ask_theirs = await api.client.post(
        f"/api/conversations/{bobs_chat}/ask", headers=alice, json={"question": "hi"}
    )
    assert ask_theirs.status_code == 404


async def test_bad_requests_are_refused_before_anything_is_recorded(api: SearchApi) -> None:
    headers = await api.sign_up()
    chat = await conversation(api, headers)
    blank = await api.client.post(
        f"/api/conversations/{chat}/ask", headers=headers, json={"question": "   "}
    )
    assert (blank.status_code, blank.json()["code"]) == (400, "EMPTY_MESSAGE")
    none = await api.client.put(
        f"/api/conversations/{chat}/documents", headers=headers, json={"document_ids": []}
    )
    assert (none.status_code, none.json()["code"]) == (400, "NO_DOCUMENTS")
    assert await api.rows("SELECT id FROM run") == []


async def test_cli_ask_streams_the_answer_and_lists_its_sources(
    api: SearchApi, database_url: URL
) -> None:
    headers = await api.sign_up()
    harbour = await api.processed(headers, HARBOUR, "harbour.txt")
    email = (await api.client.get("/api/me", headers=headers)).json()["user"]["email"]
    done = await raypx(
        database_url, "ask", "When was the lighthouse added?", "--user", email,
        "--document", harbour,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "added in 1856 after a storm sank three ships. [1]" in done.stdout
    assert f"[1] harbour.txt (document {harbour}" in done.stderr
    conversations = (await api.client.get("/api/conversations", headers=headers)).json()
    [chat] = conversations["items"]
    assert chat["title"] == "When was the lighthouse added?"
    cited = await api.client.get(f"/api/conversations/{chat['id']}/citations", headers=headers)
    assert [c["document_id"] for c in cited.json()] == [harbour]
