"""Declarative base and the conventions every table shares: UUID v7 keys and timestamps.

Constraint names follow Drizzle's conventions (`user_email_unique`, `session_user_id_user_id_fk`)
so a database moved from the TypeScript starter and one built here name things alike.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, Dialect, MetaData, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator
from uuid_utils import compat as uuid_utils

NAMING_CONVENTION = {
    "ix": "idx_%(table_name)s_%(column_0_N_name)s",
    "uq": "%(table_name)s_%(column_0_N_name)s_unique",
    "ck": "%(table_name)s_%(constraint_name)s_check",
    "fk": "%(table_name)s_%(column_0_name)s_%(referred_table_name)s_%(referred_column_0_name)s_fk",
    "pk": "%(table_name)s_pkey",
}


def new_uuid7() -> uuid.UUID:
    """Time-ordered id: inserts land at the right edge of the primary key index.

    uuid-utils keeps a counter inside the millisecond, so ids made by one process are strictly
    increasing even when many are made within the same millisecond.
    """
    return uuid_utils.uuid7()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        str: Text(),
        datetime: DateTime(timezone=True),
        uuid.UUID: UUID(as_uuid=True),
        dict[str, Any]: JSONB,
    }
    # Fetch server-generated values (defaults, updated_at) with RETURNING on flush, so async
    # code never triggers a lazy load of an expired attribute.
    __mapper_args__ = {"eager_defaults": True}


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), sort_order=100)
    # The ORM sets it on update; the `set_updated_at` trigger does it for plain SQL too.
    updated_at: Mapped[datetime] = mapped_column(
        server_default=func.now(), onupdate=func.now(), sort_order=101
    )


class UUIDPrimaryKey:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid7, sort_order=-100)


EMPTY_JSON = text("'{}'::jsonb")


class TextEnum(TypeDecorator[StrEnum]):
    """A `text` column narrowed to one StrEnum: a bad value fails before it reaches SQL."""

    impl = Text
    cache_ok = True

    def __init__(self, enum: type[StrEnum]) -> None:
        super().__init__()
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        try:
            return self.enum(value).value
        except ValueError:
            allowed = ", ".join(member.value for member in self.enum)
            raise ValueError(
                f"{value!r} is not a valid {self.enum.__name__} (allowed: {allowed})"
            ) from None

    def process_result_value(self, value: str | None, dialect: Dialect) -> StrEnum | None:
        return None if value is None else self.enum(value)


def enum_check(column: str, enum: type[StrEnum]) -> CheckConstraint:
    """CHECK constraint `<table>_<column>_check`, so plain SQL cannot store a bad value either."""
    values = ", ".join(f"'{member.value}'" for member in enum)
    return CheckConstraint(f"{column} IN ({values})", name=column)
