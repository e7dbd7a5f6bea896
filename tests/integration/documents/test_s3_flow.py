"""The same document flow with the S3 backend, against a real S3 API server (moto)."""

from __future__ import annotations

from tests.integration.documents.conftest import DocsApi
from tests.unit.documents.samples import ARTICLE, make_pdf


async def test_upload_process_download_delete_on_s3(s3_api: DocsApi) -> None:
    api = s3_api
    headers = await api.sign_up()
    data = make_pdf([ARTICLE])
    created = (await api.upload(headers, data, "report.pdf", "application/pdf")).json()
    document = await api.settled(headers, created["id"])
    assert document["status"] == "processed"
    assert "council" in document["summary"].lower()
    assert not (api.settings.home / "storage").exists()  # nothing went to the local disk

    bucket = api.settings.s3_bucket
    key = (await api.rows("SELECT storage_key FROM document"))[0].storage_key
    assert await api.storage.exists(key)
    content = await api.client.get(f"/api/documents/{created['id']}/content", headers=headers)
    assert content.content == data
    assert content.headers["content-type"] == "application/pdf"

    assert (
        await api.client.delete(f"/api/documents/{created['id']}", headers=headers)
    ).status_code == 204
    client = api.storage.client  # type: ignore[attr-defined]
    assert client.list_objects_v2(Bucket=bucket).get("KeyCount") == 0
