"""The error answers routes document in the OpenAPI document, from one table.

Every error has the same body (`{"message", "code"}`, Better Auth's shape, plus the details some
kinds add), so a route lists only the statuses it can answer: `responses=errors(404, 409)`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

DESCRIPTIONS = {
    400: "Bad request: the `code` says what is wrong (on /api/auth also field validation)",
    401: "Not signed in, or the session expired (`UNAUTHORIZED`)",
    402: "A plan limit is reached (`QUOTA_EXCEEDED`, with `limit`, `used`, `resets_at`)",
    403: "Refused: an untrusted Origin or callback URL, or a model your plan does not include",
    404: "Not found, or not yours",
    409: "The resource's state does not allow this now",
    413: "The body is larger than RAYPX_MAX_BODY_BYTES (uploads: the plan's file size)",
    422: "A field is invalid; `message` names it, `errors` lists every problem",
    429: "Too many requests; retry after `X-Retry-After` seconds",
    503: "Not configured on this deployment",
}


class ErrorBody(BaseModel):
    model_config = ConfigDict(extra="allow")
    message: str = Field(examples=["conversation not found"])
    code: str = Field(examples=["CONVERSATION_NOT_FOUND"])


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: the given statuses, and 413, which the body cap gives anywhere."""
    return {
        status: {"model": ErrorBody, "description": DESCRIPTIONS[status]}
        for status in sorted({*statuses, 413})
    }


# Browser navigations answered with a redirect; Better Auth sends them with a JSON content type.
REDIRECT: dict[int | str, dict[str, Any]] = {
    302: {
        "description": "Redirect to the `Location` header",
        "content": {"application/json": {}},
        "headers": {"Location": {"schema": {"type": "string"}}},
    }
}


class OpenAIError(BaseModel):
    model_config = ConfigDict(extra="allow")
    message: str = Field(examples=["The model 'x' does not exist"])
    type: str = Field(examples=["invalid_request_error"])
    param: str | None = None
    code: str | None = Field(examples=["model_not_found"])


class OpenAIErrorBody(BaseModel):
    """/v1 answers errors in OpenAI's shape, so OpenAI's client libraries raise their own."""

    error: OpenAIError


OPENAI_DESCRIPTIONS = {
    400: "Invalid request (malformed JSON or a field; OpenAI answers 400, not 422)",
    401: "No valid API key or session (`invalid_api_key`)",
    403: "Refused (`permission_error`)",
    404: "Unknown model, or a model your plan does not include (`model_not_found`)",
    413: "The body is larger than the limit (`request_too_large`)",
    429: "A plan limit is reached (`insufficient_quota`) or too many requests",
    502: "The AI provider failed (`api_error`)",
    503: "Not configured on this deployment (`api_error`)",
}


def openai_errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a /v1 route, in OpenAI's error shape; 413 as everywhere."""
    return {
        status: {"model": OpenAIErrorBody, "description": OPENAI_DESCRIPTIONS[status]}
        for status in sorted({*statuses, 413})
    }
