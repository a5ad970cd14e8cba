"""Signed ticket codes: compact, QR-friendly, checkable offline with only the public key.

A code is "OI1" + base32(payload + Ed25519 signature), padding stripped, where the 10-byte payload
is version (1) + ticket id (uint32 BE) + slot id (uint32 BE) + party size (uint8). Base32 keeps to
the QR alphanumeric set, so the symbol stays small (version 5-M for the 122-character code).
"""

from __future__ import annotations

import base64
import io
import re
import struct
from dataclasses import dataclass

import segno
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from openindustry.kit.crypto import derive_key
from openindustry.kit.errors import ErrorKind, Invalid

PREFIX = "OI1"
VERSION = 1
MAX_ID = 2**32 - 1
MAX_PARTY = 20
_PAYLOAD = struct.Struct(">BIIB")
_BODY_LEN = -(-(_PAYLOAD.size + 64) * 8 // 5)  # base32 characters without padding: 119
_BODY = re.compile(rf"[A-Z2-7]{{{_BODY_LEN}}}")


class InvalidTicket(Invalid):
    kind = ErrorKind.INVALID
    code = "invalid_ticket"

    def __init__(self) -> None:
        super().__init__("Билет недействителен.")


@dataclass(frozen=True, slots=True)
class TicketClaims:
    ticket_id: int
    slot_id: int
    party_size: int


@dataclass(frozen=True, slots=True)
class TicketKeys:
    private_key: Ed25519PrivateKey

    @classmethod
    def from_seed(cls, seed: bytes) -> TicketKeys:
        if len(seed) != 32:
            raise ValueError("an Ed25519 seed is 32 bytes")
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    @classmethod
    def derive(cls, secret: str) -> TicketKeys:
        """Keys derived from the application secret, for when no explicit key is configured."""
        return cls.from_seed(derive_key(secret, "ticket-signing"))

    def public_key_b64(self) -> str:
        raw = self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _problem(claims: TicketClaims) -> str | None:
    for name, value in (("ticket_id", claims.ticket_id), ("slot_id", claims.slot_id)):
        if not 1 <= value <= MAX_ID:
            return f"{name} must be within 1..{MAX_ID}"
    if not 1 <= claims.party_size <= MAX_PARTY:
        return f"party_size must be within 1..{MAX_PARTY}"
    return None


def sign_ticket(keys: TicketKeys, claims: TicketClaims) -> str:
    if problem := _problem(claims):
        raise ValueError(problem)
    payload = _PAYLOAD.pack(VERSION, claims.ticket_id, claims.slot_id, claims.party_size)
    body = base64.b32encode(payload + keys.private_key.sign(payload)).decode().rstrip("=")
    return PREFIX + body


def verify_ticket(public_key_b64: str, code: str) -> TicketClaims:
    """The claims of a genuine code; InvalidTicket for anything else (never another error).

    A malformed public key is a configuration error and raises ValueError.
    """
    raw_key = base64.urlsafe_b64decode(public_key_b64 + "=" * (-len(public_key_b64) % 4))
    public_key = Ed25519PublicKey.from_public_bytes(raw_key)
    text = code.strip()  # ASCII before upper(): "ı".upper() == "I"
    body = text[len(PREFIX) :].upper()
    if not (text.isascii() and text[: len(PREFIX)].upper() == PREFIX and _BODY.fullmatch(body)):
        raise InvalidTicket
    data = base64.b32decode(body + "=" * (-len(body) % 8))
    if base64.b32encode(data).decode().rstrip("=") != body:  # stray bits in the last character
        raise InvalidTicket
    payload, signature = data[: _PAYLOAD.size], data[_PAYLOAD.size :]
    try:
        public_key.verify(signature, payload)
    except InvalidSignature:
        raise InvalidTicket from None
    version, ticket_id, slot_id, party_size = _PAYLOAD.unpack(payload)
    claims = TicketClaims(ticket_id=ticket_id, slot_id=slot_id, party_size=party_size)
    if version != VERSION or _problem(claims):
        raise InvalidTicket
    return claims


def ticket_qr_svg(code: str, *, title: str | None = None) -> str:
    """A scannable SVG (error correction M, 8 px modules, 4-module quiet zone) of the code."""
    qr = segno.make(code, error="m", boost_error=False, micro=False)
    out = io.BytesIO()
    options = {"scale": 8, "border": 4, "dark": "#000", "light": "#fff", "title": title}
    qr.save(
        out, kind="svg", omitsize=True, xmldecl=False, nl=False, svgclass="ticket-qr", **options
    )
    width, height = qr.symbol_size(scale=8, border=4)
    attrs = f'width="{width}" height="{height}"' + (' role="img"' if title else "")
    return out.getvalue().decode().replace("<svg ", f"<svg {attrs} ", 1)
