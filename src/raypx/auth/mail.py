"""Verification and password-reset mail: rendered from templates, sent by SMTP when configured,
otherwise appended to `RAYPX_HOME/outbox.jsonl` (one JSON object per message).

Links carry single-use tokens, so the log names only the recipient and the subject.
"""

from __future__ import annotations

import asyncio
import json
import logging
import smtplib
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from string import Template

log = logging.getLogger("raypx.auth.mail")

TEMPLATES = {
    "verify-email": (
        "Verify your email address",
        Template(
            "Hello $name,\n\nConfirm that $email is your address by opening this link:\n\n"
            "$url\n\nThe link works once, within one hour. If you did not ask for it, "
            "ignore this message.\n"
        ),
    ),
    "change-email": (
        "Confirm your new email address",
        Template(
            "Hello $name,\n\nConfirm $email as the new address of your account by opening "
            "this link:\n\n$url\n\nThe link works once, within one hour. If you did not ask "
            "for it, ignore this message.\n"
        ),
    ),
    "reset-password": (
        "Reset your password",
        Template(
            "Hello $name,\n\nSomeone (hopefully you) asked to reset the password of $email. "
            "Choose a new one here:\n\n$url\n\nThe link works once, within one hour. Resetting "
            "signs out every session. If you did not ask for it, ignore this message.\n"
        ),
    ),
}


@dataclass(frozen=True)
class OutgoingMail:
    kind: str
    to: str
    subject: str
    text: str
    url: str


def render(kind: str, *, to: str, name: str, url: str) -> OutgoingMail:
    subject, body = TEMPLATES[kind]
    return OutgoingMail(kind, to, subject, body.substitute(name=name, email=to, url=url), url)


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool
    sender: str


class Mailer:
    def __init__(self, outbox: Path, smtp: SmtpConfig | None = None) -> None:
        self.outbox = outbox
        self.smtp = smtp

    async def send(self, mail: OutgoingMail) -> None:
        """Deliver, never raise: a failed delivery is logged, the request already answered."""
        try:
            if self.smtp is not None:
                await asyncio.to_thread(self._send_smtp, mail, self.smtp)
                log.info("sent %s mail to %s", mail.kind, mail.to)
            else:
                await asyncio.to_thread(self._append_outbox, mail)
                log.info(
                    "%s mail to %s (%r) written to %s",
                    mail.kind,
                    mail.to,
                    mail.subject,
                    self.outbox,
                )
        except Exception as exc:
            log.error("could not deliver %s mail to %s: %s", mail.kind, mail.to, type(exc).__name__)

    def _append_outbox(self, mail: OutgoingMail) -> None:
        self.outbox.parent.mkdir(parents=True, exist_ok=True)
        record = {"at": datetime.now(UTC).isoformat(), **asdict(mail)}
        with self.outbox.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
        self.outbox.chmod(0o600)  # the links inside are credentials until used

    @staticmethod
    def _send_smtp(mail: OutgoingMail, smtp: SmtpConfig) -> None:
        message = EmailMessage()
        message["From"] = smtp.sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message.set_content(mail.text)
        with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as client:
            if smtp.starttls:
                client.starttls()
            if smtp.username and smtp.password:
                client.login(smtp.username, smtp.password)
            client.send_message(message)


def read_outbox(outbox: Path) -> list[OutgoingMail]:
    """Messages written so far, oldest first (for the CLI and tests)."""
    if not outbox.exists():
        return []
    fields = OutgoingMail.__dataclass_fields__
    return [
        OutgoingMail(**{k: v for k, v in json.loads(line).items() if k in fields})
        for line in outbox.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
