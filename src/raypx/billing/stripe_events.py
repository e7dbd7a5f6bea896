"""Reading a Stripe webhook: its signature (within a tolerance either side of now) and the
shape of the event, checked before anything is recorded or applied.

A correctly signed event can still be malformed (an API version we do not know, a test tool,
a bug): it gets a 400 naming the first bad field. A 500 would make Stripe retry it for days.
Unknown fields and event types are fine: Stripe adds them all the time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated, Any

import stripe
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from raypx.errors import Invalid

MALFORMED = "INVALID_STRIPE_EVENT"
TOLERANCE = 300  # seconds; Stripe's default, applied to the past and (here also) the future
SUBSCRIPTION_EVENTS = frozenset(
    {
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
    }
)


def _no_nul(value: str) -> str:
    # PostgreSQL text and jsonb cannot hold NUL: refuse it here rather than fail in the database.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, Field(min_length=1, max_length=255), AfterValidator(_no_nul)]
# Seconds since the epoch, up to the year 9999 (what datetime and PostgreSQL can hold).
Timestamp = Annotated[int, Field(ge=0, le=253_402_300_799)]


class Shape(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class Price(Shape):
    id: Text | None = None


class Item(Shape):
    price: Price | None = None
    current_period_start: Timestamp | None = None
    current_period_end: Timestamp | None = None


class Items(Shape):
    data: list[Item] = []


class Metadata(Shape):
    user_id: Text | None = None


class Subscription(Shape):
    status: Text | None = None
    metadata: Metadata | None = None
    items: Items | None = None
    current_period_start: Timestamp | None = None
    current_period_end: Timestamp | None = None
    cancel_at_period_end: bool | None = None


class Data(Shape):
    object: dict[str, Any]


class Envelope(Shape):
    id: Text
    type: Text
    created: Timestamp
    data: Data


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    created: int
    subscription: Subscription | None  # for subscription events only

    @property
    def user_id(self) -> str | None:
        metadata = self.subscription.metadata if self.subscription else None
        return metadata.user_id if metadata else None


def _signed_at(header: str) -> int:
    # The first `t=`, as Stripe's own check reads it (the header is already verified).
    for part in header.split(","):
        key, _, value = part.partition("=")
        if key.strip() == "t":
            return int(value)
    raise ValueError("no timestamp")


def check_signature(payload: bytes, header: str | None, secret: str) -> None:
    """Raise INVALID_SIGNATURE unless `header` signs `payload` within TOLERANCE of now."""
    try:
        body = payload.decode()
    except UnicodeDecodeError:
        raise Invalid("malformed Stripe event: the body is not UTF-8", code=MALFORMED) from None
    try:
        stripe.WebhookSignature.verify_header(body, header, secret, TOLERANCE)
        assert header is not None  # verify_header refuses a missing header
        if _signed_at(header) > time.time() + TOLERANCE:
            raise ValueError("timestamp in the future")
    except (ValueError, stripe.SignatureVerificationError):
        raise Invalid("invalid Stripe signature or payload", code="INVALID_SIGNATURE") from None


def _malformed(error: ValidationError, *within: str) -> Invalid:
    first = error.errors()[0]
    where = ".".join(str(part) for part in (*within, *first["loc"]))
    detail = f"{where}: {first['msg']}" if where else first["msg"]
    return Invalid(f"malformed Stripe event: {detail}", code=MALFORMED)


def parse_event(payload: bytes) -> Event:
    """The event in a verified payload, or INVALID_STRIPE_EVENT naming the first bad field."""
    try:
        envelope = Envelope.model_validate_json(payload)
    except ValidationError as error:
        raise _malformed(error) from None
    subscription = None
    if envelope.type in SUBSCRIPTION_EVENTS:
        try:
            subscription = Subscription.model_validate(envelope.data.object)
        except ValidationError as error:
            raise _malformed(error, "data", "object") from None
    return Event(envelope.id, envelope.type, envelope.created, subscription)
