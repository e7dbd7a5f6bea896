"""Request and response bodies of the AI, conversation and profile endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from raypx.api.schemas.text import JSONObject, Text
from raypx.db.enums import ArtifactKind, ConversationStatus, MessageRole, RunStatus


class ModelOut(BaseModel):
    name: str
    provider: str
    context_window: int
    input_usd_per_million: Decimal
    output_usd_per_million: Decimal
    plans: list[str]
    description: str


class RunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    feature: Text = Field(default="summarize", examples=["summarize", "rewrite", "extraction"])
    input: Text | None = Field(default=None, description="Text to work on")
    document_id: uuid.UUID | None = None
    model: Text | None = Field(default=None, examples=["mock:raypx-1"])
    options: JSONObject = Field(default_factory=dict, examples=[{"tone": "friendly"}])


class ArtifactOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    run_id: uuid.UUID
    kind: ArtifactKind
    title: str
    content: str
    metadata: dict[str, Any] = Field(validation_alias="metadata_")
    created_at: datetime


class RunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    feature: str
    model: str
    status: RunStatus
    prompt: str
    response_text: str | None
    error_message: str | None
    conversation_id: uuid.UUID | None
    document_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    cost_usd: Decimal | None = Field(default=None, description="Billed cost; null if not billed")


class RunDetail(RunOut):
    artifacts: list[ArtifactOut]


class RunPage(BaseModel):
    items: list[RunOut]
    next_cursor: str | None


class ConversationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Text = "New conversation"
    task: Text = "chat"


class ConversationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Text | None = None
    status: ConversationStatus | None = None


class ConversationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    title: str
    task: str
    status: ConversationStatus
    created_at: datetime
    updated_at: datetime


class ConversationPage(BaseModel):
    items: list[ConversationOut]
    next_cursor: str | None


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    content: Text
    model: Text | None = None
    stream: bool = False


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    conversation_id: uuid.UUID
    role: MessageRole
    content: str
    model: str | None
    created_at: datetime


class MessagePage(BaseModel):
    items: list[MessageOut]
    next_cursor: str | None


class UsageOut(BaseModel):
    input_tokens: int
    output_tokens: int
    estimated: bool


class TurnOut(BaseModel):
    run_id: uuid.UUID
    run_status: RunStatus
    user_message: MessageOut
    assistant_message: MessageOut | None
    usage: UsageOut
    error: str | None


class ProfileOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    default_model: str
    preferred_locale: str
    output_tone: str
    marketing_opt_in: bool


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    default_model: Text | None = None
    preferred_locale: Text | None = None
    output_tone: Text | None = None
    marketing_opt_in: bool | None = None


class MeOut(BaseModel):
    user: dict[str, Any]
    profile: ProfileOut
    subscription: dict[str, Any] | None
    plan: str
    limits: dict[str, Any]
    period: dict[str, datetime]
    usage: dict[str, Any]
    stored: dict[str, int] = Field(
        default_factory=dict, description="documents and storage_bytes kept now (not this month)"
    )
    is_admin: bool = Field(default=False, description="Named in RAYPX_ADMIN_EMAILS")
