from __future__ import annotations

from raypx.jobs.retries import MAX_RETRY_DELAY_SECONDS, describe_error, redact, retry_delay


def test_retry_delay_doubles_with_jitter_and_a_cap() -> None:
    for attempt, base in ((1, 2.0), (2, 4.0), (5, 32.0)):
        delays = [retry_delay(attempt, 2.0) for _ in range(200)]
        assert all(0.8 * base <= d <= 1.2 * base for d in delays)
        assert len(set(delays)) > 1  # jittered
    assert retry_delay(40, 2.0) <= 1.2 * MAX_RETRY_DELAY_SECONDS


def test_error_description_names_the_type_and_hides_secrets() -> None:
    exc = ConnectionError(
        "postgresql://raypx:s3cret@db:5432/app password=hunter2 "
        "Authorization: Bearer abc.def token='xyz'"
    )
    described = describe_error(exc)
    assert described.startswith("ConnectionError: postgresql://raypx:***@db:5432/app")
    for secret in ("s3cret", "hunter2", "abc.def", "xyz"):
        assert secret not in described
    assert describe_error(KeyError()) == "KeyError"
    assert len(describe_error(ValueError("x" * 10_000))) == 2000


def test_redact_leaves_ordinary_text_alone() -> None:
    text = "document d1 has 3 pages: https://example.com/a"
    assert redact(text) == text
