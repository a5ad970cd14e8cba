"""E-mail over SMTP (HTML and plain text) through the kit's Mailer."""

from __future__ import annotations

import aiosmtplib

from openindustry.kit.mail import Mail, Mailer
from openindustry.notifications.channels import Outgoing, Transient, Unreachable


class EmailChannel:
    name = "email"

    def __init__(self, mailer: Mailer) -> None:
        self.mailer = mailer

    async def send(self, message: Outgoing) -> None:
        try:
            await self.mailer.send(
                Mail(
                    to=message.address,
                    subject=message.subject,
                    text=message.text,
                    html=message.html,
                )
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise Unreachable(f"smtp: recipient refused: {exc}") from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise Transient(f"smtp: {type(exc).__name__}: {exc}") from exc
