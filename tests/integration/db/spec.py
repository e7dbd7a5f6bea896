"""The spec (shared/spec/raypx-schema.md) written out as data, independent of the models.

Tests compare the live catalog with this, so a model that drifts from the spec fails even if
the migration and the models agree with each other.
"""

from __future__ import annotations

NOW = "now()"
TS = "timestamp with time zone"

# (column, type, NOT NULL, default as pg_get_expr renders it)
COMMON = [("created_at", TS, True, NOW), ("updated_at", TS, True, NOW)]
UUID_PK = [("id", "uuid", True, None)]

TABLES: dict[str, list[tuple[str, str, bool, str | None]]] = {
    "user": [
        ("id", "text", True, None),
        ("name", "text", True, None),
        ("email", "text", True, None),
        ("email_verified", "boolean", True, "false"),
        ("image", "text", False, None),
        *COMMON,
    ],
    "session": [
        *UUID_PK,
        ("token", "text", True, None),
        ("expires_at", TS, True, None),
        ("user_id", "text", True, None),
        ("ip_address", "text", False, None),
        ("user_agent", "text", False, None),
        ("last_active", TS, True, NOW),
        *COMMON,
    ],
    "account": [
        *UUID_PK,
        ("account_id", "text", True, None),
        ("provider_id", "text", True, None),
        ("user_id", "text", True, None),
        ("access_token", "text", False, None),
        ("refresh_token", "text", False, None),
        ("id_token", "text", False, None),
        ("password", "text", False, None),
        ("scope", "text", False, None),
        *COMMON,
    ],
    "verification": [
        *UUID_PK,
        ("identifier", "text", True, None),
        ("value", "text", True, None),
        ("expires_at", TS, True, None),
        *COMMON,
    ],
    "profile": [
        *UUID_PK,
        ("user_id", "text", True, None),
        ("default_model", "text", True, "'mock:raypx-1'::text"),
        ("preferred_locale", "text", True, "'en-US'::text"),
        ("output_tone", "text", True, "'professional'::text"),
        ("marketing_opt_in", "boolean", True, "false"),
        *COMMON,
    ],
    "subscription": [
        *UUID_PK,
        ("user_id", "text", True, None),
        ("provider", "text", True, "'manual'::text"),
        ("plan_tier", "text", True, "'free'::text"),
        ("status", "text", True, "'trialing'::text"),
        ("current_period_start", TS, False, None),
        ("current_period_end", TS, False, None),
        ("cancel_at_period_end", "boolean", True, "false"),
        *COMMON,
    ],
    "conversation": [
        *UUID_PK,
        ("user_id", "text", True, None),
        ("title", "text", True, None),
        ("task", "text", True, "'summarize'::text"),
        ("status", "text", True, "'active'::text"),
        *COMMON,
    ],
    "message": [
        *UUID_PK,
        ("conversation_id", "uuid", True, None),
        ("user_id", "text", True, None),
        ("role", "text", True, None),
        ("content", "text", True, None),
        ("model", "text", False, None),
        *COMMON,
    ],
    "document": [
        *UUID_PK,
        ("user_id", "text", True, None),
        ("title", "text", True, None),
        ("storage_key", "text", True, None),
        ("content_type", "text", True, "'text/plain'::text"),
        ("size_bytes", "integer", True, "0"),
        ("status", "text", True, "'uploaded'::text"),
        ("summary", "text", False, None),
        ("metadata", "jsonb", True, "'{}'::jsonb"),
        *COMMON,
    ],
    "run": [
        *UUID_PK,
        ("user_id", "text", True, None),
        ("conversation_id", "uuid", False, None),
        ("document_id", "uuid", False, None),
        ("feature", "text", True, "'document-summary'::text"),
        ("model", "text", True, None),
        ("status", "text", True, "'queued'::text"),
        ("prompt", "text", True, None),
        ("response_text", "text", False, None),
        ("error_message", "text", False, None),
        *COMMON,
    ],
    "artifact": [
        *UUID_PK,
        ("user_id", "text", True, None),
        ("run_id", "uuid", True, None),
        ("kind", "text", True, "'summary'::text"),
        ("title", "text", True, None),
        ("content", "text", True, None),
        ("metadata", "jsonb", True, "'{}'::jsonb"),
        *COMMON,
    ],
    "usage_event": [
        *UUID_PK,
        ("user_id", "text", True, None),
        ("run_id", "uuid", False, None),
        ("metric", "text", True, None),
        ("quantity", "integer", True, None),
        ("model", "text", False, None),
        ("feature", "text", True, "'document-summary'::text"),
        ("cost_usd", "numeric(10,4)", True, "0"),
        *COMMON,
    ],
    "job": [
        *UUID_PK,
        ("user_id", "text", False, None),
        ("run_id", "uuid", False, None),
        ("type", "text", True, None),
        ("status", "text", True, "'queued'::text"),
        ("attempts", "integer", True, "0"),
        ("payload", "jsonb", True, "'{}'::jsonb"),
        ("result", "jsonb", False, None),
        ("error_message", "text", False, None),
        ("scheduled_at", TS, True, NOW),
        *COMMON,
    ],
}

# (table, column) -> (referred table, ON DELETE action as pg_constraint.confdeltype)
CASCADE, SET_NULL = "c", "n"
FOREIGN_KEYS = {
    ("session", "user_id"): ("user", CASCADE),
    ("account", "user_id"): ("user", CASCADE),
    ("profile", "user_id"): ("user", CASCADE),
    ("subscription", "user_id"): ("user", CASCADE),
    ("conversation", "user_id"): ("user", CASCADE),
    ("message", "conversation_id"): ("conversation", CASCADE),
    ("message", "user_id"): ("user", CASCADE),
    ("document", "user_id"): ("user", CASCADE),
    ("run", "user_id"): ("user", CASCADE),
    ("run", "conversation_id"): ("conversation", SET_NULL),
    ("run", "document_id"): ("document", SET_NULL),
    ("artifact", "user_id"): ("user", CASCADE),
    ("artifact", "run_id"): ("run", CASCADE),
    ("usage_event", "user_id"): ("user", CASCADE),
    ("usage_event", "run_id"): ("run", SET_NULL),
    ("job", "user_id"): ("user", SET_NULL),
    ("job", "run_id"): ("run", SET_NULL),
}

UNIQUE_COLUMNS = {
    ("user", "email"),
    ("session", "token"),
    ("profile", "user_id"),
    ("document", "storage_key"),
}

# name -> (table, columns, unique)
NAMED_INDEXES = {
    "idx_user_email": ("user", ["email"], False),
    "idx_session_token": ("session", ["token"], False),
    "idx_session_user_id": ("session", ["user_id"], False),
    "uidx_account_provider_account": ("account", ["provider_id", "account_id"], True),
}

ENUM_COLUMNS = {
    ("subscription", "plan_tier"): ["free", "pro"],
    ("subscription", "status"): ["trialing", "active", "past_due", "cancelled"],
    ("conversation", "status"): ["active", "archived"],
    ("message", "role"): ["system", "user", "assistant", "tool"],
    ("document", "status"): ["uploaded", "processed", "failed"],
    ("run", "status"): ["queued", "running", "succeeded", "failed", "cancelled"],
    ("artifact", "kind"): ["summary", "rewrite", "extraction", "file", "report"],
    ("usage_event", "metric"): ["ai_tokens", "ai_requests", "documents", "storage_bytes"],
    ("job", "status"): ["queued", "running", "succeeded", "failed", "cancelled"],
}


# Tables of Better Auth's plugins (migration 0002_auth_plugins), beside the spec's 13.
PLUGIN_TABLES: dict[str, list[tuple[str, str, bool, str | None]]] = {
    "api_key": [
        *UUID_PK,
        ("name", "text", False, None),
        ("start", "text", False, None),
        ("prefix", "text", False, None),
        ("key", "text", True, None),
        ("user_id", "text", True, None),
        ("enabled", "boolean", True, "true"),
        ("rate_limit_enabled", "boolean", True, "true"),
        ("rate_limit_time_window", "integer", False, None),
        ("rate_limit_max", "integer", False, None),
        ("request_count", "integer", True, "0"),
        ("remaining", "integer", False, None),
        ("refill_interval", "integer", False, None),
        ("refill_amount", "integer", False, None),
        ("last_refill_at", TS, False, None),
        ("last_request", TS, False, None),
        ("window_started_at", TS, False, None),
        ("expires_at", TS, False, None),
        ("permissions", "jsonb", False, None),
        ("metadata", "jsonb", False, None),
        *COMMON,
    ],
}
PLUGIN_TABLES["two_factor"] = [
    *UUID_PK,
    ("user_id", "text", True, None),
    ("enabled", "boolean", True, "false"),
    ("secret", "text", False, None),
    ("verified", "boolean", True, "false"),
    ("backup_codes", "jsonb", True, "'[]'::jsonb"),
    ("failed_verification_count", "integer", True, "0"),
    ("locked_until", TS, False, None),
    *COMMON,
]
PLUGIN_TABLES["passkey"] = [
    *UUID_PK,
    ("name", "text", False, None),
    ("public_key", "text", True, None),
    ("user_id", "text", True, None),
    ("credential_id", "text", True, None),
    ("counter", "integer", True, "0"),
    ("device_type", "text", True, None),
    ("backed_up", "boolean", True, "false"),
    ("transports", "text", False, None),
    ("aaguid", "text", False, None),
    *COMMON,
]
PLUGIN_FOREIGN_KEYS = {
    ("passkey", "user_id"): ("user", CASCADE),
    ("api_key", "user_id"): ("user", CASCADE),
    ("two_factor", "user_id"): ("user", CASCADE),
}
PLUGIN_UNIQUE_COLUMNS = {
    ("api_key", "key"),
    ("two_factor", "user_id"),
    ("passkey", "credential_id"),
}
ALL_TABLES = {**TABLES, **PLUGIN_TABLES}
# Tables Raypx adds beyond the spec (migration 0002, documents search and grounded answers).
# The spec's 13 stay exactly as above; these follow its style (UUID v7 key, timestamptz,
# updated_at trigger, cascades from document and user).
EXTENSION_TABLES = {
    "document_chunk", "chunk_embedding", "conversation_document", "message_citation",
}  # fmt: skip
EXTENSION_FOREIGN_KEYS = {
    ("document_chunk", "document_id"): ("document", CASCADE),
    ("document_chunk", "user_id"): ("user", CASCADE),
    ("chunk_embedding", "chunk_id"): ("document_chunk", CASCADE),
    ("chunk_embedding", "document_id"): ("document", CASCADE),
    ("chunk_embedding", "user_id"): ("user", CASCADE),
    ("conversation_document", "conversation_id"): ("conversation", CASCADE),
    ("conversation_document", "user_id"): ("user", CASCADE),
    ("conversation_document", "document_id"): ("document", CASCADE),
    ("message_citation", "message_id"): ("message", CASCADE),
    ("message_citation", "user_id"): ("user", CASCADE),
    ("message_citation", "document_id"): ("document", CASCADE),
    ("message_citation", "chunk_id"): ("document_chunk", SET_NULL),
}
