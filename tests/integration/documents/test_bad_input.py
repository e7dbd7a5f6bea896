"""Broken, spoofed, unsupported and malformed uploads: a clear reason, nothing else breaks."""

from __future__ import annotations

import pytest

from tests.integration.documents.conftest import DocsApi
from tests.integration.jobs.conditions import wait_until
from tests.unit.documents.samples import ARTICLE, ELF_HEADER, make_pdf, make_zip

EXECUTABLE = "application/x-executable"


@pytest.mark.parametrize(
    ("filename", "declared", "data", "sniffed", "code"),
    [
        ("cut.pdf", "application/pdf", make_pdf([ARTICLE])[:350], "application/pdf",
         "BROKEN_FILE"),
        ("fake.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         make_zip({"readme.txt": b"not a document"}), "application/zip", "UNSUPPORTED_TYPE"),
        ("junk.txt", "text/plain", bytes(range(256)) * 8, "application/octet-stream",
         "UNSUPPORTED_TYPE"),
        ("invoice.pdf", "application/pdf", ELF_HEADER, EXECUTABLE, "UNSUPPORTED_TYPE"),
        ("scan.pdf", "application/pdf", make_pdf([""]), "application/pdf", "NO_TEXT"),
    ],
    ids=["truncated-pdf", "zip-not-docx", "binary-junk", "executable-as-pdf", "pdf-no-text"],
)  # fmt: skip
async def test_unreadable_files_end_failed_with_a_reason(
    api: DocsApi, filename: str, declared: str, data: bytes, sniffed: str, code: str
) -> None:
    headers = await api.sign_up()
    response = await api.upload(headers, data, filename, declared)
    assert response.status_code == 201, response.text
    assert response.json()["content_type"] == sniffed
    document = await api.settled(headers, response.json()["id"])
    assert document["status"] == "failed"
    assert document["metadata"]["error_code"] == code
    assert document["metadata"]["error"]
    assert document["summary"] is None

    # A failed file is a document state, not a failed job: nothing is retried or left running.
    async def job_statuses() -> list[str]:
        rows = await api.rows("SELECT status FROM job WHERE type = 'documents.process'")
        return [row.status for row in rows]

    await wait_until(job_statuses, lambda s: s == ["succeeded"], what="the job to succeed")
    summarize = await api.client.post(f"/api/documents/{document['id']}/summarize", headers=headers)
    assert summarize.status_code == 409
    assert summarize.json()["code"] == "DOCUMENT_FAILED"
    # The download still returns the bytes as they were sent, as an attachment.
    content = await api.client.get(f"/api/documents/{document['id']}/content", headers=headers)
    assert content.content == data
    assert content.headers["content-type"].startswith(sniffed)
    assert content.headers["content-disposition"].startswith("attachment;")


async def test_pdf_sent_as_text_plain_is_read_as_pdf(api: DocsApi) -> None:
    headers = await api.sign_up()
    data = make_pdf([ARTICLE[:90], ARTICLE[90:]])
    response = await api.upload(headers, data, "notes.txt", "text/plain")
    assert response.json()["content_type"] == "application/pdf"
    document = await api.settled(headers, response.json()["id"])
    assert document["status"] == "processed"
    assert document["metadata"]["extractor"] == "pypdf"
    assert document["metadata"]["declared_type"] == "text/plain"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"files": {"file": ("empty.txt", b"", "text/plain")}}, "EMPTY_FILE"),
        ({"files": {"other": ("a.txt", b"hello", "text/plain")}}, "FILE_REQUIRED"),
        ({"data": {"title": "no file"}, "files": {"x": ("", b"", "text/plain")}}, "FILE_REQUIRED"),
        ({"json": {"file": "hello"}}, "NOT_MULTIPART"),
        ({"files": {"file": ("a.txt", b"hello", "text/plain")}, "data": {"title": "x" * 300}},
         "INVALID_TITLE"),
    ],
    ids=["empty", "wrong-field", "no-file", "json-body", "long-title"],
)  # fmt: skip
async def test_bad_requests_are_refused_and_leave_nothing(
    api: DocsApi, kwargs: dict[str, object], code: str
) -> None:
    headers = await api.sign_up()
    response = await api.client.post("/api/documents", headers=headers, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 400, response.text
    assert response.json()["code"] == code
    assert await api.rows("SELECT id FROM document") == []
    assert await api.rows("SELECT id FROM usage_event") == []
    assert stored_files(api) == []


async def test_a_truncated_multipart_body_is_refused(api: DocsApi) -> None:
    headers = await api.sign_up()
    body = b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhalf'
    response = await api.client.post(
        "/api/documents",
        headers={**headers, "Content-Type": "multipart/form-data; boundary=xyz"},
        content=body,
    )
    assert response.status_code == 400
    assert response.json()["code"] == "FILE_REQUIRED"
    assert await api.rows("SELECT id FROM document") == []
    assert stored_files(api) == []


def stored_files(api: DocsApi) -> list[str]:
    root = api.settings.home / "storage"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
