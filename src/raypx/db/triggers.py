"""The `updated_at` trigger: plain SQL from any client refreshes `updated_at` too.

The same DDL serves the migration and `metadata.create_all` (used by `raypx db check` to build
the reference schema), so the two cannot drift apart.
"""

from __future__ import annotations

from sqlalchemy import DDL, MetaData, event

FUNCTION_NAME = "raypx_set_updated_at"

# An UPDATE that sets updated_at itself (a backfill, a test pinning time) keeps its value;
# any other UPDATE gets now().
CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION_NAME}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END;
$$
"""


def trigger_name(table: str) -> str:
    return f"trg_{table}_updated_at"


def create_trigger_sql(table: str) -> str:
    return (
        f'CREATE TRIGGER {trigger_name(table)} BEFORE UPDATE ON "{table}" '
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION_NAME}()"
    )


def install(metadata: MetaData) -> None:
    """Attach the function and one trigger per table with `updated_at` to `create_all`."""
    event.listen(metadata, "before_create", DDL(CREATE_FUNCTION))  # type: ignore[no-untyped-call]
    for table in metadata.tables.values():
        if "updated_at" in table.c:
            trigger = DDL(create_trigger_sql(table.name))  # type: ignore[no-untyped-call]
            event.listen(table, "after_create", trigger)
