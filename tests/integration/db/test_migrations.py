"""Migrations build exactly the models' schema, round-trip, and `raypx db check` sees drift."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL

from raypx.db import migrate, schema_check
from tests.conftest import create_database, drop_database


@pytest.fixture
def empty_database(server_url: URL, run_tag: str) -> Iterator[URL]:
    name = f"raypx_empty_{run_tag}_{secrets.token_hex(4)}"
    url = create_database(server_url, name)
    yield url
    drop_database(server_url, name)


def differences(url: URL) -> list[str]:
    with migrate.sync_connection(url) as conn:
        return schema_check.check_schema(conn)


def table_names(url: URL) -> set[str]:
    with migrate.sync_connection(url) as conn:
        found = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
        return {name for (name,) in found}


def raypx(url: URL, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url.render_as_string(hide_password=False)}
    return subprocess.run(
        [sys.executable, "-m", "raypx", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_upgrade_on_an_empty_database_matches_the_models(empty_database: URL) -> None:
    migrate.upgrade(empty_database)
    assert differences(empty_database) == []
    with migrate.sync_connection(empty_database) as conn:
        assert migrate.current_revision(conn) == migrate.head_revision()


def test_upgrade_twice_is_a_no_op(empty_database: URL) -> None:
    migrate.upgrade(empty_database)
    migrate.upgrade(empty_database)
    assert differences(empty_database) == []


def test_downgrade_to_base_and_upgrade_again(empty_database: URL) -> None:
    migrate.upgrade(empty_database)
    migrate.downgrade(empty_database, "base")
    assert table_names(empty_database) == {"alembic_version"}
    with migrate.sync_connection(empty_database) as conn:
        functions = conn.execute(
            text("SELECT 1 FROM pg_proc WHERE proname = 'raypx_set_updated_at'")
        )
        assert functions.first() is None
    migrate.upgrade(empty_database)
    assert differences(empty_database) == []


def test_check_names_every_kind_of_drift(database_url: URL) -> None:
    with migrate.sync_connection(database_url) as conn:
        conn.execute(text("DROP INDEX idx_session_user_id"))
        conn.execute(text("ALTER TABLE document ALTER COLUMN size_bytes DROP DEFAULT"))
        conn.execute(text("ALTER TABLE message ALTER COLUMN model SET NOT NULL"))
        conn.execute(text("ALTER TABLE run ALTER COLUMN prompt TYPE varchar(200)"))
        conn.execute(text("ALTER TABLE job ADD COLUMN priority integer"))
        conn.execute(text("DROP TRIGGER trg_profile_updated_at ON profile"))
        conn.execute(text("ALTER TABLE artifact DROP CONSTRAINT artifact_run_id_run_id_fk"))
        conn.execute(
            text(
                "ALTER TABLE artifact ADD CONSTRAINT artifact_run_id_run_id_fk "
                "FOREIGN KEY (run_id) REFERENCES run(id) ON DELETE SET NULL"
            )
        )
        conn.commit()
    found = "\n".join(differences(database_url))
    assert "missing index 'idx_session_user_id'" in found
    assert "column document.size_bytes: default is None, expected '0'" in found
    assert "column message.model: NOT NULL is True, expected False" in found
    assert "column run.prompt: type is 'character varying(200)', expected 'text'" in found
    assert "unexpected column job.priority" in found
    assert "missing trigger 'trg_profile_updated_at'" in found
    assert (
        "ON DELETE SET NULL, expected FOREIGN KEY (run_id) REFERENCES run(id) ON DELETE CASCADE"
        in found
    )
    assert len(differences(database_url)) == 7


def test_check_leaves_nothing_behind(database_url: URL) -> None:
    differences(database_url)
    with migrate.sync_connection(database_url) as conn:
        schemas = conn.execute(
            text("SELECT 1 FROM pg_namespace WHERE nspname = :s"),
            {"s": schema_check.SCRATCH_SCHEMA},
        )
        assert schemas.first() is None


def test_cli_upgrade_then_check_exits_zero(empty_database: URL) -> None:
    upgraded = raypx(empty_database, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    checked = raypx(empty_database, "db", "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "schema matches" in checked.stdout


def test_cli_check_fails_on_an_unmigrated_database(empty_database: URL) -> None:
    checked = raypx(empty_database, "db", "check")
    assert checked.returncode == 1
    assert "database is at migration None, head is" in checked.stdout
    assert "missing table 'user'" in checked.stdout


def test_cli_serve_refuses_an_outdated_database_in_one_line(empty_database: URL) -> None:
    served = raypx(empty_database, "serve", "--no-migrate", "--port", "1")
    assert served.returncode == 2
    lines = served.stderr.strip().splitlines()
    assert lines == [
        f"error: the database has no Raypx schema, but this Raypx needs "
        f"{migrate.head_revision()}: run `raypx db upgrade`"
    ]


@pytest.mark.parametrize(
    ("database_url_value", "expected"),
    [
        ("mysql://root@localhost/app", "DATABASE_URL scheme 'mysql' is not PostgreSQL"),
        ("not a url", "DATABASE_URL is not a valid URL"),
        ("postgresql://postgres@127.0.0.1:1/raypx", "cannot connect to PostgreSQL at"),
    ],
)
def test_cli_bad_database_url_is_one_clear_line(database_url_value: str, expected: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url_value}
    result = subprocess.run(
        [sys.executable, "-m", "raypx", "db", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
