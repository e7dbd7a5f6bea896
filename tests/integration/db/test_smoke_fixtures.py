from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from raypx.db import migrate


async def test_session_is_at_migration_head(session: AsyncSession) -> None:
    version = (await session.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    assert version == migrate.head_revision()
