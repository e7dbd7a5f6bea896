from raypx.auth import passwords
from raypx.auth.passwords import Argon2Params

FAST = Argon2Params(memory_cost=64, time_cost=1)
# better-auth@1.7.25 hashPassword("correct horse battery"), made with its own library.
BETTER_AUTH_HASH = (
    "13ff246c759cf5ee2e9516fdb81ba85c:821c078fec32515075bbd5a4f360517fda914664005c85d44178e1a"
    "9266fb11f9cdce93a1beb66300db5faf701b56d8c898a0f4aa58c2d1e834a278e05c484ac"
)


def test_defaults_are_owasp_argon2id() -> None:
    assert Argon2Params() == Argon2Params(memory_cost=19456, time_cost=2, parallelism=1)
    assert passwords.hash_password("password123", Argon2Params()).startswith(
        "$argon2id$v=19$m=19456,t=2,p=1$"
    )


def test_better_auth_scrypt_hash_verifies_and_asks_for_rehash() -> None:
    ok = passwords.verify_password(BETTER_AUTH_HASH, "correct horse battery", FAST)
    assert ok.ok and ok.needs_rehash
    assert not passwords.verify_password(BETTER_AUTH_HASH, "wrong", FAST).ok


def test_scrypt_format_matches_better_auth() -> None:
    salt = BETTER_AUTH_HASH.split(":")[0]
    assert passwords.scrypt_hash("correct horse battery", salt) == BETTER_AUTH_HASH


def test_argon2_round_trip_nfkc_and_parameter_change() -> None:
    stored = passwords.hash_password("ｐａｓｓｗｏｒｄ１", FAST)  # fullwidth: NFKC -> "password1"
    assert passwords.verify_password(stored, "password1", FAST) == passwords.Verified(True, False)
    assert not passwords.verify_password(stored, "password2", FAST).ok
    stronger = Argon2Params(memory_cost=128, time_cost=1)
    assert passwords.verify_password(stored, "password1", stronger).needs_rehash
    assert not passwords.verify_password("garbage", "password1", FAST).ok


def test_length_limits() -> None:
    import pytest

    from raypx.errors import Invalid

    passwords.check_length("x" * 8)
    passwords.check_length("x" * 128)
    with pytest.raises(Invalid) as short:
        passwords.check_length("x" * 7)
    assert short.value.code == "PASSWORD_TOO_SHORT"
    with pytest.raises(Invalid) as long:
        passwords.check_length("x" * 129)
    assert long.value.code == "PASSWORD_TOO_LONG"
