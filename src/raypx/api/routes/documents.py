"""Documents: upload, list, read, download, rename, delete, summarise. Thin, owner-scoped."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from raypx.api.deps import (
    CurrentUser,
    SessionDep,
    SessionFactoryDep,
    SettingsDep,
    ai_runtime,
    document_storage,
)
from raypx.api.schemas.ai import RunOut
from raypx.api.schemas.documents import (
    PREVIEW_CHARS,
    DocumentOut,
    DocumentPage,
    DocumentText,
    DocumentUpdate,
    SummarizeRequest,
)
from raypx.api.schemas.errors import errors
from raypx.api.schemas.text import Text
from raypx.db.enums import DocumentStatus
from raypx.documents import service as documents
from raypx.documents import sniffing
from raypx.documents.multipart import MultipartUpload

router = APIRouter(prefix="/api/documents", tags=["documents"])
UPLOAD_PATH = "/api/documents"  # capped by the plan's file size as it streams, not by 1 MiB

UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "title": {"type": "string", "maxLength": documents.MAX_TITLE_CHARS},
                    },
                }
            }
        },
    }
}


# The stored file, served as the type its bytes were sniffed as (any of these).
SNIFFED_TYPES = {*sniffing.EXTRACTABLE_TYPES, sniffing.ZIP, sniffing.EXECUTABLE, sniffing.BINARY}
DOWNLOAD: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file's bytes",
        "content": {kind: {"schema": {"type": "string", "format": "binary"}}
                    for kind in sorted(SNIFFED_TYPES)},
    }
}  # fmt: skip


def content_disposition(title: str) -> str:
    """RFC 6266: an ASCII fallback `filename` and the exact name as UTF-8 in `filename*`."""
    name = documents.clean_text_line(title) or "document"
    ascii_name = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in name
    )
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


@router.post(
    "",
    status_code=201,
    response_model=DocumentOut,
    openapi_extra=UPLOAD_BODY,
    responses=errors(400, 401, 402, 403, 422),
)
async def upload_document(
    request: Request, user: CurrentUser, factory: SessionFactoryDep, settings: SettingsDep
) -> DocumentOut:
    upload = MultipartUpload(
        request.stream(),
        request.headers.get("content-type", ""),
        request.headers.get("content-length"),
    )
    document = await documents.upload_document(
        factory, document_storage(request), settings, user.id, upload
    )
    return DocumentOut.model_validate(document)


@router.get("", response_model=DocumentPage, responses=errors(400, 401, 422))
async def list_documents(
    user: CurrentUser,
    session: SessionDep,
    status: DocumentStatus | None = None,
    q: Text | None = Query(None, max_length=200, description="Part of the title, any case"),
    cursor: Text | None = None,
    limit: int = Query(20, ge=1, le=100),
) -> DocumentPage:
    page = await documents.list_documents(
        session, user.id, cursor=cursor, limit=limit, status=status, query=q
    )
    return DocumentPage(
        items=[DocumentOut.model_validate(d) for d in page.items], next_cursor=page.next_cursor
    )


@router.get("/{document_id}", response_model=DocumentOut, responses=errors(401, 404, 422))
async def get_document(
    document_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> DocumentOut:
    return DocumentOut.model_validate(await documents.get_document(session, user.id, document_id))


@router.get(
    "/{document_id}/content",
    response_class=StreamingResponse,
    responses=errors(401, 404, 422) | DOWNLOAD,
)
async def download_document(
    document_id: uuid.UUID, user: CurrentUser, session: SessionDep, request: Request
) -> StreamingResponse:
    document, chunks = await documents.open_content(
        session, document_storage(request), user.id, document_id
    )
    media_type = document.content_type
    if media_type in sniffing.TEXT_TYPES:
        media_type += "; charset=utf-8"
    return StreamingResponse(
        chunks,
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(document.title),
            "Content-Length": str(document.size_bytes),
            "Cache-Control": "private, no-store",
        },
    )


@router.get(
    "/{document_id}/text", response_model=DocumentText, responses=errors(401, 404, 409, 422)
)
async def document_text(
    document_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    request: Request,
    limit: int = Query(PREVIEW_CHARS, ge=1, le=PREVIEW_CHARS),
) -> DocumentText:
    """The start of the extracted text (409 while extraction runs or when it failed)."""
    storage = document_storage(request)
    _, text = await documents.document_text(session, storage, user.id, document_id)
    return DocumentText(text=text[:limit], characters=len(text), truncated=len(text) > limit)


@router.patch(
    "/{document_id}", response_model=DocumentOut, responses=errors(400, 401, 403, 404, 422)
)
async def rename_document(
    document_id: uuid.UUID, body: DocumentUpdate, user: CurrentUser, session: SessionDep
) -> DocumentOut:
    document = await documents.rename_document(session, user.id, document_id, body.title)
    return DocumentOut.model_validate(document)


@router.delete("/{document_id}", status_code=204, responses=errors(401, 403, 404, 422))
async def delete_document(
    document_id: uuid.UUID, user: CurrentUser, factory: SessionFactoryDep, request: Request
) -> Response:
    await documents.delete_document(factory, document_storage(request), user.id, document_id)
    return Response(status_code=204)


@router.post(
    "/{document_id}/summarize",
    status_code=202,
    response_model=RunOut,
    responses=errors(400, 401, 402, 403, 404, 409, 422),
)
async def summarize_document(
    document_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    request: Request,
    body: SummarizeRequest | None = None,
) -> RunOut:
    body = body or SummarizeRequest()
    run = await documents.run_on_document(
        session, document_storage(request), ai_runtime(request), user.id, document_id,
        model=body.model, options=body.options,
    )  # fmt: skip
    return RunOut.model_validate(run)
