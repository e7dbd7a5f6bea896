"""The OpenAI-compatible API: /v1/chat/completions, /v1/models, /v1/embeddings.

Authenticated like every other route (the same current-user dependency: a session Bearer token
today, API keys through it once they exist); errors in OpenAI's shape (gateway.errors).
"""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ValidationError

from raypx.api.deps import CurrentUser, SessionDep, SessionFactoryDep, ai_runtime
from raypx.api.schemas.errors import openai_errors
from raypx.billing import plans
from raypx.embeddings.registry import registry_for
from raypx.errors import NotFound, RaypxError
from raypx.gateway import completions, embeddings, wire

router = APIRouter(prefix="/v1", tags=["openai"])
Body = TypeVar("Body", bound=BaseModel)


class PayloadTooLarge(RaypxError):
    status_code = 413
    default_code = "PAYLOAD_TOO_LARGE"


async def read_body(request: Request, model: type[Body]) -> Body:
    """The JSON body, read with a size bound (FastAPI would read any size)."""
    data = bytearray()
    async for piece in request.stream():
        data += piece
        if len(data) > wire.MAX_BODY_BYTES:
            raise PayloadTooLarge(f"the request body is larger than {wire.MAX_BODY_BYTES} bytes")
    try:
        return model.model_validate_json(bytes(data))
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None


def inline_refs(node: Any, definitions: dict[str, Any]) -> Any:
    """The schema with its `$defs` references replaced by the definitions themselves, so the
    body documents itself in /api/openapi.json without components FastAPI does not know of."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return inline_refs(definitions[ref.removeprefix("#/$defs/")], definitions)
        return {k: inline_refs(v, definitions) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [inline_refs(item, definitions) for item in node]
    return node


STREAM: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The completion; `stream: true`: SSE chunks, then `data: [DONE]`",
        "content": {"application/json": {}, "text/event-stream": {"schema": {"type": "string"}}},
    }
}


def body_schema(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    schema = inline_refs(schema, schema.get("$defs", {}))
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


@router.post(
    "/chat/completions",
    responses=openai_errors(400, 401, 404, 429, 502) | STREAM,
    openapi_extra=body_schema(wire.ChatCompletionRequest),
)
async def chat_completions(request: Request, user: CurrentUser, factory: SessionFactoryDep) -> Any:
    """OpenAI Chat Completions. `stream: true` answers with SSE chunks and `data: [DONE]`."""
    body = await read_body(request, wire.ChatCompletionRequest)
    runtime = ai_runtime(request)
    call = await completions.start(factory, runtime, user.id, body)
    if not body.stream:
        return await completions.complete(factory, runtime, call)
    return StreamingResponse(
        completions.stream(factory, runtime, call),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache"},
    )


def model_entry(name: str) -> dict[str, Any]:
    return {"id": name, "object": "model", "created": 0, "owned_by": name.partition(":")[0]}


@router.get("/models", responses=openai_errors(401))
async def list_models(request: Request, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    """The models the caller's plan may use."""
    runtime = ai_runtime(request)
    tier = await plans.current_tier(session, user.id, runtime.settings)
    names = [m.name for m in runtime.registry.list() if tier in m.plans]
    names += [m.name for m in registry_for(runtime.settings).list() if tier in m.plans]
    return {"object": "list", "data": [model_entry(n) for n in names]}


@router.get("/models/{model:path}", responses=openai_errors(401, 404))
async def get_model(
    model: str, request: Request, user: CurrentUser, session: SessionDep
) -> dict[str, Any]:
    listed = await list_models(request, user, session)
    if not any(m["id"] == model for m in listed["data"]):
        raise NotFound(f"The model '{model}' does not exist", code="UNKNOWN_MODEL")
    return model_entry(model)


@router.post(
    "/embeddings",
    responses=openai_errors(400, 401, 404, 429, 502, 503),
    openapi_extra=body_schema(wire.EmbeddingRequest),
)
async def create_embeddings(
    request: Request, user: CurrentUser, factory: SessionFactoryDep
) -> dict[str, Any]:
    """OpenAI Embeddings: vectors for a string or a list of strings."""
    body = await read_body(request, wire.EmbeddingRequest)
    return await embeddings.create_embeddings(factory, ai_runtime(request), user.id, body)
