"""Request bodies of /api/auth/* and the JSON shapes Better Auth's clients expect.

Validation errors read like Better Auth's (zod) ones: `[body.email] Invalid email address`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from raypx.api.schemas.text import StrictText
from raypx.auth import service
from raypx.db.models import Account, Session, User
from raypx.errors import Invalid


def _email(value: str) -> str:
    if not service.is_valid_email(value):
        raise PydanticCustomError("invalid_email", "Invalid email address")
    return service.normalize_email(value)


def _at_most(limit: int) -> AfterValidator:
    def check(value: str) -> str:
        if len(value) > limit:
            message = f"Too big: expected string to have <={limit} characters"
            raise PydanticCustomError("too_big", message)
        return value

    return AfterValidator(check)


def _web_url(value: str) -> str:
    # Better Auth stores any string; a `javascript:` or `data:` "image" would run or render in
    # every client that shows it, so only web addresses are kept: http(s), or a path on this site.
    parts = urlsplit(value)
    web = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    if not web and not (parts.scheme == "" and value.startswith("/")):
        raise PydanticCustomError("invalid_url", "Invalid URL")
    return value


NAME_MAX_CHARS = 256
IMAGE_MAX_CHARS = 2048
Email = Annotated[StrictText, AfterValidator(_email)]
Name = Annotated[StrictText, _at_most(NAME_MAX_CHARS)]
ImageURL = Annotated[StrictText, _at_most(IMAGE_MAX_CHARS), AfterValidator(_web_url)]


class Body(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")


class SignUpBody(Body):
    name: Name
    email: Email
    password: StrictText
    image: ImageURL | None = None
    callback_url: StrictText | None = Field(None, alias="callbackURL")
    remember_me: bool | None = Field(None, alias="rememberMe")


class SignInBody(Body):
    email: StrictText
    password: StrictText
    callback_url: StrictText | None = Field(None, alias="callbackURL")
    remember_me: bool | None = Field(None, alias="rememberMe")


class RevokeSessionBody(Body):
    token: StrictText


class UpdateUserBody(Body):
    name: Name | None = None
    image: ImageURL | None = None
    email: StrictText | None = None


class ChangePasswordBody(Body):
    new_password: StrictText = Field(alias="newPassword")
    current_password: StrictText = Field(alias="currentPassword")
    revoke_other_sessions: bool | None = Field(None, alias="revokeOtherSessions")


class ChangeEmailBody(Body):
    new_email: Email = Field(alias="newEmail")
    callback_url: StrictText | None = Field(None, alias="callbackURL")


class DeleteUserBody(Body):
    password: StrictText | None = None
    callback_url: StrictText | None = Field(None, alias="callbackURL")


class RequestPasswordResetBody(Body):
    email: StrictText
    redirect_to: StrictText | None = Field(None, alias="redirectTo")


class ResetPasswordBody(Body):
    new_password: StrictText = Field(alias="newPassword")
    token: StrictText | None = None


class SendVerificationEmailBody(Body):
    email: StrictText
    callback_url: StrictText | None = Field(None, alias="callbackURL")


class SocialSignInBody(Body):
    provider: StrictText
    callback_url: StrictText | None = Field(None, alias="callbackURL")
    new_user_callback_url: StrictText | None = Field(None, alias="newUserCallbackURL")
    error_callback_url: StrictText | None = Field(None, alias="errorCallbackURL")
    disable_redirect: bool | None = Field(None, alias="disableRedirect")
    scopes: list[StrictText] | None = None


class LinkSocialBody(Body):
    provider: StrictText
    callback_url: StrictText | None = Field(None, alias="callbackURL")
    error_callback_url: StrictText | None = Field(None, alias="errorCallbackURL")
    scopes: list[StrictText] | None = None


class UnlinkAccountBody(Body):
    """1.7 sends `{accountId}` (the row id); older clients `{providerId, accountId?}`."""

    provider_id: StrictText | None = Field(None, alias="providerId")
    account_id: StrictText | None = Field(None, alias="accountId")


def _js_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"


def zod_message(error: Any, where: str = "body") -> str:
    path = ".".join([where, *(str(part) for part in error["loc"])])
    kind = error["type"]
    expected = "boolean" if kind.startswith("bool") else "string"
    if kind == "missing":
        return f"[{path}] Invalid input: expected {expected}, received undefined"
    if kind.endswith("_type") or kind.startswith("bool"):
        return f"[{path}] Invalid input: expected {expected}, received {_js_type(error['input'])}"
    return f"[{path}] {error['msg']}"


def validation_error(message: str) -> Invalid:
    return Invalid(message, code="VALIDATION_ERROR")


M = TypeVar("M", bound=BaseModel)


def parse_body(raw: bytes, content_type: str, model: type[M]) -> M:
    """JSON or form-encoded body -> `model`, with Better Auth's error messages."""
    data: Any
    if content_type.startswith("application/x-www-form-urlencoded"):
        data = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    else:
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than Python parses
            raise Invalid("Invalid JSON in request body", code="BAD_REQUEST") from None
    if not isinstance(data, dict):
        raise validation_error(f"Invalid input: expected object, received {_js_type(data)}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error("; ".join(zod_message(e) for e in exc.errors())) from None


def iso(moment: datetime) -> str:
    """`2026-11-27T05:39:16.858Z`, as JavaScript's Date.toISOString()."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def user_json(user: User) -> dict[str, Any]:
    return {
        "name": user.name,
        "email": user.email,
        "emailVerified": user.email_verified,
        "image": user.image,
        "createdAt": iso(user.created_at),
        "updatedAt": iso(user.updated_at),
        "id": user.id,
    }


def session_json(session: Session, token: str) -> dict[str, Any]:
    """`token` is the raw token for the caller's own session, else the revocation handle."""
    return {
        "expiresAt": iso(session.expires_at),
        "token": token,
        "createdAt": iso(session.created_at),
        "updatedAt": iso(session.updated_at),
        "ipAddress": session.ip_address or "",
        "userAgent": session.user_agent or "",
        "userId": session.user_id,
        "id": str(session.id),
    }


def sessions_json(rows: Sequence[Session], current: Session, current_token: str) -> list[Any]:
    return [
        session_json(row, current_token if row.id == current.id else str(row.id)) for row in rows
    ]


def account_json(account: Account) -> dict[str, Any]:
    return {
        "id": str(account.id),
        "providerId": account.provider_id,
        "createdAt": iso(account.created_at),
        "updatedAt": iso(account.updated_at),
        "accountId": account.account_id,
        "userId": account.user_id,
        "scopes": [s for s in (account.scope or "").replace(",", " ").split() if s],
    }
