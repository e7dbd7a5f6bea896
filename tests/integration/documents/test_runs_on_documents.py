"""`POST /api/runs` with a document: any task over its extracted text, owner-scoped."""

from __future__ import annotations

import uuid

from tests.integration.documents.conftest import DocsApi
from tests.integration.jobs.conditions import wait_until

TEXT = (
    b"Acme Corp. signed the lease on March 5, 2026. Rent is $4,500 per month. "
    b"Questions go to leasing@acme.example. The building opens in June."
)


async def test_extraction_run_over_a_document_keeps_its_summary(api: DocsApi) -> None:
    user = await api.sign_up()
    uploaded = await api.upload(user, TEXT, "lease.txt")
    document = await api.settled(user, uploaded.json()["id"])
    assert document["status"] == "processed"

    created = await api.client.post(
        "/api/runs", headers=user, json={"feature": "extraction", "document_id": document["id"]}
    )
    assert created.status_code == 202, created.text
    assert created.json()["document_id"] == document["id"]

    async def run() -> dict[str, object]:
        response = await api.client.get(f"/api/runs/{created.json()['id']}", headers=user)
        return dict(response.json())

    finished = await wait_until(run, lambda r: r["status"] == "succeeded", what="extraction run")
    fields = finished["artifacts"][0]["metadata"]["fields"]  # type: ignore[index]
    assert fields["emails"] == ["leasing@acme.example"]
    assert fields["dates"] == [{"text": "March 5, 2026", "value": "2026-03-05"}]
    after = (await api.client.get(f"/api/documents/{document['id']}", headers=user)).json()
    assert after["summary"] == document["summary"]  # only document-summary runs write it


async def test_a_run_on_someone_elses_document_is_not_found(api: DocsApi) -> None:
    owner = await api.sign_up("Owner")
    other = await api.sign_up("Other")
    uploaded = await api.upload(owner, TEXT, "lease.txt")
    await api.settled(owner, uploaded.json()["id"])
    for document_id in (uploaded.json()["id"], str(uuid.uuid4())):
        response = await api.client.post(
            "/api/runs", headers=other, json={"feature": "summarize", "document_id": document_id}
        )
        assert response.status_code == 404
    both = await api.client.post(
        "/api/runs", headers=owner,
        json={"feature": "summarize", "document_id": uploaded.json()["id"], "input": "x"},
    )  # fmt: skip
    assert (both.status_code, both.json()["code"]) == (400, "INVALID_INPUT")


async def test_runs_list_filters_by_document_and_text_preview_is_bounded(api: DocsApi) -> None:
    user = await api.sign_up()
    first = await api.settled(user, (await api.upload(user, TEXT, "lease.txt")).json()["id"])
    other = await api.settled(user, (await api.upload(user, b"Other text. Short.")).json()["id"])
    await api.client.post("/api/runs", headers=user, json={"feature": "summarize", "input": "x y."})
    runs = await api.client.get(f"/api/runs?document_id={first['id']}", headers=user)
    assert [r["document_id"] for r in runs.json()["items"]] == [first["id"]]  # its summary run
    assert (await api.client.get(f"/api/runs?document_id={uuid.uuid4()}", headers=user)).json()[
        "items"
    ] == []

    preview = await api.client.get(f"/api/documents/{first['id']}/text?limit=20", headers=user)
    assert preview.json() == {
        "text": TEXT.decode()[:20], "characters": len(TEXT.decode()), "truncated": True,
    }  # fmt: skip
    whole = (await api.client.get(f"/api/documents/{other['id']}/text", headers=user)).json()
    assert whole == {"text": "Other text. Short.", "characters": 18, "truncated": False}
    stranger = await api.sign_up("Stranger")
    hidden = await api.client.get(f"/api/documents/{first['id']}/text", headers=stranger)
    assert hidden.status_code == 404
