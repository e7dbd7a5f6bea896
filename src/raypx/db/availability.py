"""Which failures mean "the database is unavailable right now" rather than a bug.

A refused or dropped connection, a server shutting down or starting up, a transient conflict
(deadlock, serialization: both OperationalError in psycopg), or a pool with no free connection
within its timeout. They pass: the API answers 503 with Retry-After, and work that must be
recorded (a finished chat turn) is tried again.
"""

from __future__ import annotations

import psycopg
from sqlalchemy import exc as sa_exc

from raypx.db.direct import PoolTimeout

DATABASE_OUTAGES: tuple[type[Exception], ...] = (
    sa_exc.OperationalError,
    sa_exc.TimeoutError,
    psycopg.OperationalError,
    PoolTimeout,
)


def is_outage(exc: BaseException) -> bool:
    if isinstance(exc, DATABASE_OUTAGES):
        return True
    # A connection that died under SQLAlchemy can surface as another DBAPI error kind.
    return isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated
