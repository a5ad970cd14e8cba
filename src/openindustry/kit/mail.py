"""Sending e-mail over SMTP (aiosmtplib). The URL carries the server and credentials:
`smtp://user:password@host:587?starttls=true&from=noreply@example.org`, or `smtps://…` for TLS.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str | None = None


class Mailer:
    def __init__(self, smtp_url: str, *, timeout: float = 15.0) -> None:
        parts = urlsplit(smtp_url)
        query = parse_qs(parts.query)
        self.host = parts.hostname or "localhost"
        self.use_tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.use_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.start_tls = query.get("starttls", ["false"])[0].lower() in {"1", "true", "yes"}
        self.sender = query.get("from", ["noreply@openindustry.local"])[0]
        self.timeout = timeout

    async def send(self, mail: Mail) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message.set_content(mail.text)
        if mail.html:
            message.add_alternative(mail.html, subtype="html")
        await aiosmtplib.send(
            message,
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.use_tls,
            start_tls=self.start_tls,
            timeout=self.timeout,
        )
