"""File names in any script arrive exactly: raw UTF-8 (as browsers and curl send them) and
RFC 5987 `filename*=`; the download offers the same name back."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.integration.documents.conftest import DocsApi

TEXT = b"Raypx keeps names. Every script is welcome here."
BOUNDARY = "raypx-boundary"


def multipart(disposition: bytes) -> bytes:
    return (
        f"--{BOUNDARY}\r\n".encode()
        + b"Content-Disposition: form-data; "
        + disposition
        + b"\r\nContent-Type: text/plain\r\n\r\n"
        + TEXT
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


@pytest.mark.parametrize(
    "name", ["😀.txt", "résumé.txt", "日本語の文書.txt", "Привет мир.txt", "مرحبا.txt"]
)
async def test_raw_utf8_names_are_kept_exactly(api: DocsApi, name: str) -> None:
    headers = await api.sign_up()
    response = await api.upload(headers, TEXT, filename=name)
    assert response.status_code == 201, response.text
    document = response.json()
    assert (document["title"], document["metadata"]["original_filename"]) == (name, name)
    download = await api.client.get(f"/api/documents/{document['id']}/content", headers=headers)
    assert f"filename*=UTF-8''{quote(name, safe='')}" in download.headers["content-disposition"]


@pytest.mark.parametrize(
    ("disposition", "name"),
    [
        (b"name=\"file\"; filename*=UTF-8''%F0%9F%98%80%20r%C3%A9sum%C3%A9.txt", "😀 résumé.txt"),
        (b"name=\"file\"; filename=\"fallback.txt\"; filename*=utf-8'fr'r%C3%A9sum%C3%A9.txt",
         "résumé.txt"),
        (b"name=\"file\"; filename*=iso-8859-1''r%E9sum%E9.txt", "résumé.txt"),
        (b"name=\"file\"; filename=\"plain.txt\"; filename*=nope''%FF", "plain.txt"),
        ("name=\"file\"; filename=\"r\xe9sum\xe9.txt\"".encode("latin-1"), "résumé.txt"),
    ],
    ids=["extended-only", "extended-wins", "extended-latin1", "bad-extended", "latin1-bytes"],
)  # fmt: skip
async def test_extended_and_legacy_names_are_decoded(
    api: DocsApi, disposition: bytes, name: str
) -> None:
    headers = await api.sign_up()
    response = await api.client.post(
        "/api/documents",
        headers=headers | {"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
        content=multipart(disposition),
    )
    assert response.status_code == 201, response.text
    assert response.json()["metadata"]["original_filename"] == name


async def test_a_nul_in_a_rename_is_422_naming_the_title(api: DocsApi) -> None:
    headers = await api.sign_up()
    document = (await api.upload(headers, TEXT)).json()
    path = f"/api/documents/{document['id']}"
    response = await api.client.patch(path, headers=headers, json={"title": "a\x00b"})
    assert response.status_code == 422, response.text
    assert response.json()["message"].startswith("title: ")
