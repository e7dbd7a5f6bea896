"""The text types every request field and query parameter is declared with.

PostgreSQL refuses NUL characters in `text` and in `jsonb` strings, so a NUL reaching a query
used to be a 500. Declaring fields with these types turns it into a 422 (400 on /api/auth, as
Better Auth words validation errors) that names the field, before any handler runs.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, StrictStr
from pydantic_core import PydanticCustomError

NUL = "\x00"
NUL_MESSAGE = "Invalid input: text must not contain NUL characters"


def _no_nul(value: str) -> str:
    if NUL in value:
        raise PydanticCustomError("nul_character", NUL_MESSAGE)
    return value


def _no_nul_inside(value: Any) -> Any:
    """Walks keys and values without recursion, so a deeply nested document costs no stack."""
    pending: list[tuple[Any, str]] = [(value, "")]
    while pending:
        item, where = pending.pop()
        if isinstance(item, str) and NUL in item:
            at = f" (at {where.lstrip('.')})" if where else ""
            raise PydanticCustomError("nul_character", NUL_MESSAGE + at)
        if isinstance(item, dict):
            for key, inner in item.items():
                shown = where + "." + str(key).replace(NUL, "\\0")
                pending += [(key, f"{shown} (key)"), (inner, shown)]
        elif isinstance(item, list):
            pending.extend((inner, f"{where}[{i}]") for i, inner in enumerate(item))
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
StrictText = Annotated[StrictStr, AfterValidator(_no_nul)]
# Free-form JSON objects (run options, metadata) land in jsonb, where NUL is refused as well.
JSONObject = Annotated[dict[str, Any], AfterValidator(_no_nul_inside)]
# Any JSON value (plugin metadata, /v1 content parts, tool definitions), checked the same way.
JSONValue = Annotated[Any, AfterValidator(_no_nul_inside)]
