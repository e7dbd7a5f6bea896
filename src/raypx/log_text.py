"""What may go into a log line: no control characters a client chose, and no data a database
error quotes back.

Request data (paths, provider ids, headers) is logged as given, so a `%0d%0a` in a URL would
start a forged log line; every message is escaped here instead. Database errors quote the rows
they refused (`DETAIL: Key (email)=(…)`, `invalid input syntax …: "<value>"`) and SQLAlchemy
appends the bound parameters; their descriptions keep the class, SQLSTATE, constraint and the
SQL text, never the values.
"""

from __future__ import annotations

import re
import traceback
from types import TracebackType

import psycopg
from pydantic import ValidationError
from sqlalchemy.exc import StatementError

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]
# C0 and C1 controls (CR, LF, ESC for terminal tricks, NEL) and the Unicode line separators.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# SQLSTATE classes whose messages quote data: 22 data exception, 23 integrity violation. They
# quote it in double quotes; the names of constraints, tables and columns come from `diag`.
QUOTING_CLASSES = ("22", "23")
QUOTED = re.compile(r'"[^"]*"')
# Details are where rows are quoted (`Key (email)=(…)`, `Failing row contains (…)`): dropped,
# except where the detail names only an escape (`\u0000 cannot be converted to text.`).
DETAIL_NAMES_NO_DATA = frozenset({"22P05"})
MAX_SQL = 500
CAUSED = "\n\nThe above exception was the direct cause of the following exception:\n\n"
DURING = "\n\nDuring handling of the above exception, another exception occurred:\n\n"


def escape_controls(text: str) -> str:
    return CONTROL.sub(lambda m: NAMED.get(m[0]) or f"\\u{ord(m[0]):04x}", text)


def _name(exc: BaseException) -> str:
    kind = type(exc)
    return (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )


def _describe_psycopg(exc: psycopg.Error) -> str:
    sqlstate = exc.sqlstate
    if sqlstate is None:  # raised by the driver, not the server (connection lost, NUL byte…)
        return escape_controls(str(exc).strip())
    diag = exc.diag
    where = [
        f"{label} {value}"
        for label, value in (
            ("constraint", diag.constraint_name),
            ("table", diag.table_name),
            ("column", diag.column_name),
        )
        if value
    ]
    said = [diag.message_primary or ""]
    if sqlstate.startswith(QUOTING_CLASSES):
        said = [QUOTED.sub('"…"', said[0])]  # `invalid input syntax …: "<value>"`
    if sqlstate in DETAIL_NAMES_NO_DATA:
        said.append(diag.message_detail or "")
    parts = [f"SQLSTATE {sqlstate}", *where, *(part for part in said if part)]
    return escape_controls("; ".join(parts))


def describe_exception(exc: BaseException) -> str:
    """The message of `exc` fit for a log: one line, no values from the data."""
    if isinstance(exc, StatementError):
        orig = exc.orig
        inner = f"({_name(orig)}) {describe_exception(orig)}" if orig is not None else ""
        sql = " ".join(str(exc.statement or "").split())[:MAX_SQL]
        return escape_controls(f"{inner} [SQL: {sql}]".strip())
    if isinstance(exc, psycopg.Error):
        return _describe_psycopg(exc)
    if isinstance(exc, ValidationError):  # its str() repeats every invalid input value
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        return escape_controls(f"{exc.error_count()} errors for {exc.title}: {problems}")
    return escape_controls(str(exc))


def _chain(exc: BaseException) -> list[BaseException]:
    """Oldest first, as Python prints them."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    return chain[::-1]


def format_exception(exc_info: ExcInfo | tuple[None, None, None]) -> str:
    """A traceback like Python's, with each exception's message from `describe_exception`."""
    if exc_info[1] is None:
        return ""
    text, previous = "", None
    for exc in _chain(exc_info[1]):
        if previous is not None:
            text += CAUSED if exc.__cause__ is previous else DURING
        frames = "".join(traceback.format_tb(exc.__traceback__))
        message = describe_exception(exc)
        heading = "Traceback (most recent call last):\n" if frames else ""
        text += f"{heading}{frames}{_name(exc)}{': ' + message if message else ''}"
        previous = exc
    return text
