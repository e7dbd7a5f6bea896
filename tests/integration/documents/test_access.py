"""Owner scoping on every endpoint, listing, renaming and safe downloads."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from tests.integration.documents.conftest import DocsApi
from tests.unit.documents.samples import ARTICLE


async def test_another_users_document_answers_like_a_missing_one(api: DocsApi) -> None:
    owner, other = await api.sign_up("Owner"), await api.sign_up("Other")
    created = (await api.upload(owner, ARTICLE.encode())).json()
    await api.settled(owner, created["id"])
    calls = [
        ("GET", "{}"), ("GET", "{}/content"), ("PATCH", "{}"), ("DELETE", "{}"),
        ("POST", "{}/summarize"),
    ]  # fmt: skip
    for method, path in calls:
        body = {"title": "mine now"} if method == "PATCH" else None
        theirs = await api.client.request(
            method, f"/api/documents/{path.format(created['id'])}", headers=other, json=body
        )
        missing = await api.client.request(
            method, f"/api/documents/{path.format(uuid.uuid4())}", headers=other, json=body
        )
        assert theirs.status_code == missing.status_code == 404, (method, path)
        assert theirs.json() == missing.json() == {
            "message": "document not found", "code": "DOCUMENT_NOT_FOUND",
        }  # fmt: skip
    listing = await api.client.get("/api/documents", headers=other)
    assert listing.json() == {"items": [], "next_cursor": None}
    still = await api.client.get(f"/api/documents/{created['id']}", headers=owner)
    assert still.json()["title"] == created["title"]
    assert (await api.client.get("/api/documents")).status_code == 401


async def test_list_pages_and_filters_by_status(api: DocsApi) -> None:
    headers = await api.sign_up()
    ids = [(await api.upload(headers, f"{ARTICLE} {n}".encode())).json()["id"] for n in range(3)]
    bad = (await api.upload(headers, bytes(range(256)) * 4, "junk.bin")).json()["id"]
    for each in [*ids, bad]:
        await api.settled(headers, each)
    first = (await api.client.get("/api/documents?limit=2", headers=headers)).json()
    assert [d["id"] for d in first["items"]] == [bad, ids[2]]
    second = (
        await api.client.get(
            f"/api/documents?limit=2&cursor={first['next_cursor']}", headers=headers
        )
    ).json()
    assert [d["id"] for d in second["items"]] == [ids[1], ids[0]]
    assert second["next_cursor"] is None
    failed = (await api.client.get("/api/documents?status=failed", headers=headers)).json()
    assert [d["id"] for d in failed["items"]] == [bad]
    wrong = await api.client.get("/api/documents?status=lost", headers=headers)
    assert wrong.status_code == 422


async def test_list_searches_titles_literally_and_case_insensitively(api: DocsApi) -> None:
    headers = await api.sign_up()
    titles = ["Quarterly Report", "report_50%", "Budget"]
    ids = {t: (await api.upload(headers, ARTICLE.encode(), title=t)).json()["id"] for t in titles}
    found = (await api.client.get("/api/documents?q=REPORT", headers=headers)).json()
    assert [d["id"] for d in found["items"]] == [ids["report_50%"], ids["Quarterly Report"]]
    literal = (await api.client.get("/api/documents?q=_50%25", headers=headers)).json()
    assert [d["title"] for d in literal["items"]] == ["report_50%"]
    wildcard = (await api.client.get("/api/documents?q=%25", headers=headers)).json()
    assert [d["title"] for d in wildcard["items"]] == ["report_50%"]
    none = (await api.client.get("/api/documents?q=missing", headers=headers)).json()
    assert none == {"items": [], "next_cursor": None}


async def test_rename_and_download_with_a_hostile_title(api: DocsApi) -> None:
    headers = await api.sign_up()
    data = "Grüße, Welt\n".encode()
    created = (await api.upload(headers, data, "greeting.txt", title="Hello")).json()
    assert created["title"] == "Hello"
    hostile = 'Rapport "final"\r\nSet-Cookie: a=b; ü.txt'
    renamed = await api.client.patch(
        f"/api/documents/{created['id']}", headers=headers, json={"title": hostile}
    )
    assert renamed.status_code == 200
    title = renamed.json()["title"]
    assert title == 'Rapport "final" Set-Cookie: a=b; ü.txt'
    response = await api.client.get(f"/api/documents/{created['id']}/content", headers=headers)
    assert response.status_code == 200
    assert response.content == data
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert "set-cookie" not in response.headers
    assert response.headers["content-disposition"] == (
        'attachment; filename="Rapport _final_ Set-Cookie: a=b_ _.txt"; '
        f"filename*=UTF-8''{quote(title, safe='')}"
    )
    empty = await api.client.patch(
        f"/api/documents/{created['id']}", headers=headers, json={"title": "\u200b\n"}
    )
    assert empty.status_code == 400
    assert empty.json()["code"] == "INVALID_TITLE"
