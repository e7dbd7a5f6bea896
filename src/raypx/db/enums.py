"""Every enum-like value set, once. Models, API schemas and CHECK constraints all read these."""

from __future__ import annotations

from enum import StrEnum


class PlanTier(StrEnum):
    FREE = "free"
    PRO = "pro"


class SubscriptionStatus(StrEnum):
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELLED = "cancelled"


class ConversationStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class ConversationTask(StrEnum):
    SUMMARIZE = "summarize"
    REWRITE = "rewrite"
    EXTRACTION = "extraction"
    CHAT = "chat"


class MessageRole(StrEnum):
    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"
    TOOL = "tool"


class DocumentStatus(StrEnum):
    UPLOADED = "uploaded"
    PROCESSED = "processed"
    FAILED = "failed"


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ArtifactKind(StrEnum):
    SUMMARY = "summary"
    REWRITE = "rewrite"
    EXTRACTION = "extraction"
    FILE = "file"
    REPORT = "report"


class UsageMetric(StrEnum):
    AI_TOKENS = "ai_tokens"
    AI_REQUESTS = "ai_requests"
    DOCUMENTS = "documents"
    STORAGE_BYTES = "storage_bytes"


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


JOB_FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)
