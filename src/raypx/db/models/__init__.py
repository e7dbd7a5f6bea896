"""All ORM models, imported together so the metadata is complete wherever it is used.

Import order matters: foreign-key names (Drizzle style, `run_user_id_user_id_fk`) are made from
the referred table, which must already be defined.
"""
# isort: skip_file

from raypx.db.models.auth import Account, Session, User, Verification
from raypx.db.models.billing import Profile, Subscription
from raypx.db.models.documents import Document
from raypx.db.models.ai import Artifact, Conversation, Message, Run
from raypx.db.models.usage import UsageEvent
from raypx.db.models.jobs import Job
from raypx.db.models.auth_plugins import ApiKey, Passkey, TwoFactor
from raypx.db.models.search import (
    ChunkEmbedding,
    ConversationDocument,
    DocumentChunk,
    MessageCitation,
)
from raypx.db import triggers as _triggers
from raypx.db.base import Base as _Base

_triggers.install(_Base.metadata)

__all__ = [
    "Account",
    "ApiKey",
    "Artifact",
    "ChunkEmbedding",
    "Conversation",
    "ConversationDocument",
    "Document",
    "DocumentChunk",
    "Job",
    "Message",
    "MessageCitation",
    "Passkey",
    "Profile",
    "Run",
    "Session",
    "Subscription",
    "TwoFactor",
    "UsageEvent",
    "User",
    "Verification",
]
