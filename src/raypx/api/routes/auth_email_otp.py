"""Better Auth's email-otp plugin endpoints (`emailOTPClient`): codes by mail to sign in,
verify the address or reset the password."""

from __future__ import annotations

from typing import Annotated

from fastapi import BackgroundTasks, Depends
from fastapi.responses import Response
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from raypx.api.routes.auth_common import (
    AuthDb,
    Config,
    Meta,
    body_of,
    documented,
    json,
    send_later,
    signed_in_cookies,
)
from raypx.api.routes.auth_plugin_common import plugin_router, rejection, user_json
from raypx.api.schemas import auth as schemas
from raypx.api.schemas.errors import errors
from raypx.api.schemas.text import StrictText
from raypx.auth import email_otp, email_otp_flows
from raypx.errors import Invalid

endpoints = plugin_router(lambda methods: methods.email_otp)
KINDS = ("email-verification", "sign-in", "forget-password", "change-email")


def _kind(value: str) -> str:
    if value not in KINDS:  # zod's words for a bad enum value
        expected = "|".join(f'"{kind}"' for kind in KINDS)
        raise PydanticCustomError("invalid_option", f"Invalid option: expected one of {expected}")
    return value


Kind = Annotated[StrictText, AfterValidator(_kind)]


class SendBody(schemas.Body):
    email: StrictText
    type: Kind


class CheckBody(SendBody):
    otp: StrictText


class VerifyEmailBody(schemas.Body):
    email: StrictText
    otp: StrictText


class SignInBody(VerifyEmailBody):
    name: StrictText | None = None
    image: StrictText | None = None


class EmailBody(schemas.Body):
    email: StrictText


class ResetBody(VerifyEmailBody):
    password: StrictText


@endpoints.post(
    "/email-otp/send-verification-otp",
    responses=errors(400, 403),
    openapi_extra=documented(SendBody),
)
async def send_verification_otp(
    body: Annotated[SendBody, Depends(body_of(SendBody))],
    db: AuthDb,
    cfg: Config,
    meta: Meta,
    tasks: BackgroundTasks,
) -> Response:
    message = await email_otp_flows.send_code(db, cfg, meta, email=body.email, kind=body.type)
    send_later(tasks, cfg, message)
    return json({"success": True})


@endpoints.post(
    "/email-otp/check-verification-otp",
    responses=errors(400, 403),
    openapi_extra=documented(CheckBody),
)
async def check_verification_otp(
    body: Annotated[CheckBody, Depends(body_of(CheckBody))], db: AuthDb, cfg: Config, meta: Meta
) -> Response:
    try:
        await email_otp_flows.check_code(
            db, cfg, meta, email=body.email, kind=body.type, otp=body.otp
        )
    except email_otp.OtpRejected as exc:
        return rejection(exc)
    return json({"success": True})


@endpoints.post(
    "/email-otp/verify-email",
    responses=errors(400, 403),
    openapi_extra=documented(VerifyEmailBody),
)
async def verify_email(
    body: Annotated[VerifyEmailBody, Depends(body_of(VerifyEmailBody))],
    db: AuthDb,
    cfg: Config,
    meta: Meta,
) -> Response:
    try:
        done = await email_otp_flows.verify_email(db, cfg, meta, email=body.email, otp=body.otp)
    except email_otp.OtpRejected as exc:
        return rejection(exc)
    user = await user_json(db, cfg, done.user)
    if done.signed is None:
        return json({"status": True, "token": None, "user": user})
    payload = {"status": True, "token": done.signed.token, "user": user}
    return json(payload, set_cookies=signed_in_cookies(cfg, done.signed))


@endpoints.post(
    "/sign-in/email-otp",
    responses=errors(400, 403),
    openapi_extra=documented(SignInBody),
)
async def sign_in_email_otp(
    body: Annotated[SignInBody, Depends(body_of(SignInBody))], db: AuthDb, cfg: Config, meta: Meta
) -> Response:
    try:
        signed = await email_otp_flows.sign_in(
            db, cfg, meta, email=body.email, otp=body.otp, name=body.name, image=body.image
        )
    except email_otp.OtpRejected as exc:
        return rejection(exc)
    payload = {"token": signed.token, "user": await user_json(db, cfg, signed.user)}
    return json(payload, set_cookies=signed_in_cookies(cfg, signed))


async def _request_reset(
    body: EmailBody, db: AuthDb, cfg: Config, meta: Meta, tasks: BackgroundTasks
) -> Response:
    message = await email_otp_flows.request_password_reset(db, cfg, meta, email=body.email)
    send_later(tasks, cfg, message)
    return json({"success": True})


@endpoints.post(
    "/email-otp/request-password-reset",
    responses=errors(400, 403),
    openapi_extra=documented(EmailBody),
)
async def request_password_reset(
    body: Annotated[EmailBody, Depends(body_of(EmailBody))],
    db: AuthDb,
    cfg: Config,
    meta: Meta,
    tasks: BackgroundTasks,
) -> Response:
    return await _request_reset(body, db, cfg, meta, tasks)


@endpoints.post(
    "/forget-password/email-otp",
    responses=errors(400, 403),
    openapi_extra=documented(EmailBody),
)
async def forget_password(
    body: Annotated[EmailBody, Depends(body_of(EmailBody))],
    db: AuthDb,
    cfg: Config,
    meta: Meta,
    tasks: BackgroundTasks,
) -> Response:
    """The deprecated name of request-password-reset, still served by Better Auth 1.7."""
    return await _request_reset(body, db, cfg, meta, tasks)


@endpoints.post(
    "/email-otp/reset-password",
    responses=errors(400, 403),
    openapi_extra=documented(ResetBody),
)
async def reset_password(
    body: Annotated[ResetBody, Depends(body_of(ResetBody))], db: AuthDb, cfg: Config, meta: Meta
) -> Response:
    try:
        await email_otp_flows.reset_password(
            db, cfg, meta, email=body.email, otp=body.otp, password=body.password
        )
    except email_otp.OtpRejected as exc:
        return rejection(exc)
    return json({"success": True})


@endpoints.post(
    "/email-otp/request-email-change",
    responses=errors(400, 403),
)
@endpoints.post(
    "/email-otp/change-email",
    responses=errors(400, 403),
)
async def change_email_disabled() -> Response:
    # Better Auth's default (changeEmail.enabled false); /change-email by link does this job.
    raise Invalid("Change email with OTP is disabled", code="CHANGE_EMAIL_OTP_DISABLED")
