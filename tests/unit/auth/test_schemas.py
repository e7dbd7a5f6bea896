import pytest

from raypx.api.schemas import auth as schemas
from raypx.errors import Invalid


def test_zod_like_messages() -> None:
    with pytest.raises(Invalid) as exc:
        schemas.parse_body(
            b'{"name": 5, "email": "x@y.co"}', "application/json", schemas.SignUpBody
        )
    assert exc.value.message == (
        "[body.name] Invalid input: expected string, received number; "
        "[body.password] Invalid input: expected string, received undefined"
    )
    with pytest.raises(Invalid) as exc:
        schemas.parse_body(b"[]", "application/json", schemas.SignInBody)
    assert exc.value.code == "VALIDATION_ERROR"


def test_form_bodies_parse() -> None:
    body = schemas.parse_body(
        b"email=a%40example.com&password=p&rememberMe=false",
        "application/x-www-form-urlencoded",
        schemas.SignInBody,
    )
    assert (body.email, body.remember_me) == ("a@example.com", False)
