"""Errors that services raise and the API maps to `{"message", "code"}` responses.

Every kind carries a stable machine-readable `code` (upper snake case, as Better Auth's
error codes are) and an HTTP status, so one exception handler can answer for all of them.
"""

from __future__ import annotations

from typing import Any, ClassVar


class RaypxError(Exception):
    status_code: ClassVar[int] = 500
    default_code: ClassVar[str] = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.details = details

    def to_body(self) -> dict[str, Any]:
        return {"message": self.message, "code": self.code, **self.details}


class Invalid(RaypxError):
    status_code = 400
    default_code = "BAD_REQUEST"


class Unauthorized(RaypxError):
    status_code = 401
    default_code = "UNAUTHORIZED"


class QuotaExceeded(RaypxError):
    status_code = 402
    default_code = "QUOTA_EXCEEDED"


class Forbidden(RaypxError):
    status_code = 403
    default_code = "FORBIDDEN"


class NotFound(RaypxError):
    status_code = 404
    default_code = "NOT_FOUND"


class Conflict(RaypxError):
    status_code = 409
    default_code = "CONFLICT"


class RateLimited(RaypxError):
    status_code = 429
    default_code = "TOO_MANY_REQUESTS"


class ConfigurationError(RaypxError):
    """Bad settings or an unreachable/outdated database: the operator must act."""

    default_code = "CONFIGURATION_ERROR"


class Unavailable(RaypxError):
    """A feature that is not configured on this deployment (e.g. a billing provider)."""

    status_code = 503
    default_code = "SERVICE_UNAVAILABLE"
