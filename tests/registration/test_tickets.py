"""Signed ticket codes: round trips, tampering, foreign keys, garbage, the QR symbol."""

from __future__ import annotations

import base64
import re
import string

import pytest
import segno
from hypothesis import given, settings
from hypothesis import strategies as st

from openindustry.kit.errors import AppError, ErrorKind
from openindustry.registration.tickets import (
    InvalidTicket,
    TicketClaims,
    TicketKeys,
    sign_ticket,
    ticket_qr_svg,
    verify_ticket,
)

KEYS = TicketKeys.from_seed(bytes(range(32)))
OTHER = TicketKeys.derive("another-secret")
PUBLIC = KEYS.public_key_b64()
CLAIMS = TicketClaims(ticket_id=123_456, slot_id=789, party_size=3)
CODE = sign_ticket(KEYS, CLAIMS)
QR_ALPHANUMERIC = set(string.digits + string.ascii_uppercase + " $%*+-./:")

ids = st.integers(min_value=1, max_value=2**32 - 1)
claims = st.builds(TicketClaims, ticket_id=ids, slot_id=ids, party_size=st.integers(1, 20))


def assert_invalid(code: str) -> None:
    with pytest.raises(InvalidTicket) as caught:
        verify_ticket(PUBLIC, code)
    assert caught.value.code == "invalid_ticket"
    assert caught.value.kind is ErrorKind.INVALID
    assert caught.value.message == "Билет недействителен."
    assert isinstance(caught.value, AppError)


def test_keys_from_seed_and_derived() -> None:
    raw = base64.urlsafe_b64decode(PUBLIC + "=")
    assert len(raw) == 32
    assert "=" not in PUBLIC
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", PUBLIC)
    assert TicketKeys.derive("s").public_key_b64() == TicketKeys.derive("s").public_key_b64()
    assert TicketKeys.derive("s").public_key_b64() != TicketKeys.derive("t").public_key_b64()
    with pytest.raises(ValueError, match="32 bytes"):
        TicketKeys.from_seed(b"short")


@given(claims)
def test_sign_verify_round_trip(ticket: TicketClaims) -> None:
    code = sign_ticket(KEYS, ticket)
    assert code.startswith("OI1")
    assert set(code) <= QR_ALPHANUMERIC
    assert len(code) == 122
    assert verify_ticket(PUBLIC, code) == ticket
    assert verify_ticket(PUBLIC, f"  {code.lower()}\n") == ticket


@pytest.mark.parametrize(
    ("ticket_id", "slot_id", "party_size"),
    [(0, 1, 1), (2**32, 1, 1), (1, 0, 1), (1, 2**32, 1), (1, 1, 0), (1, 1, 21), (-1, 1, 1)],
)
def test_sign_refuses_out_of_range(ticket_id: int, slot_id: int, party_size: int) -> None:
    with pytest.raises(ValueError, match="must be within"):
        sign_ticket(KEYS, TicketClaims(ticket_id, slot_id, party_size))


def test_every_single_character_change_fails_or_is_a_case_change() -> None:
    alphabet = string.ascii_letters + string.digits + "=-_ +/ıſ"
    for position, original in enumerate(CODE):
        for replacement in alphabet:
            if replacement == original:
                continue
            altered = CODE[:position] + replacement + CODE[position + 1 :]
            if replacement.isascii() and replacement.upper() == original:
                assert verify_ticket(PUBLIC, altered) == CLAIMS
            else:
                assert_invalid(altered)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "OI1",
        CODE[:-1],
        CODE[:-8],
        CODE + "A",
        CODE + "========",
        CODE + "AAAAAAAA",
        "OI2" + CODE[3:],
        "XX1" + CODE[3:],
        CODE[3:],
        "OI1 " + CODE[3:],
        CODE[:60] + " " + CODE[60:],
    ],
)
def test_malformed_codes_are_invalid(code: str) -> None:
    assert_invalid(code)


def test_code_signed_by_another_key_is_invalid() -> None:
    assert_invalid(sign_ticket(OTHER, CLAIMS))
    assert verify_ticket(OTHER.public_key_b64(), sign_ticket(OTHER, CLAIMS)) == CLAIMS


def test_another_version_is_invalid_even_when_properly_signed() -> None:
    payload = bytes([2]) + (1).to_bytes(4, "big") + (1).to_bytes(4, "big") + bytes([1])
    body = base64.b32encode(payload + KEYS.private_key.sign(payload)).decode().rstrip("=")
    assert_invalid("OI1" + body)


@settings(max_examples=300)
@given(st.text())
def test_arbitrary_text_only_ever_raises_invalid_ticket(text: str) -> None:
    assert_invalid(text)


@settings(max_examples=300)
@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", min_size=100, max_size=130))
def test_well_formed_looking_garbage_is_invalid(body: str) -> None:
    assert_invalid("OI1" + body)


@given(st.binary(min_size=74, max_size=74))
def test_random_bytes_in_the_right_shape_are_invalid(data: bytes) -> None:
    assert_invalid("OI1" + base64.b32encode(data).decode().rstrip("="))


def test_qr_symbol_is_small_and_svg_is_accessible() -> None:
    qr = segno.make(CODE, error="m", boost_error=False, micro=False)
    assert qr.mode == "alphanumeric"
    assert isinstance(qr.version, int)
    assert qr.version <= 10
    svg = ticket_qr_svg(CODE, title="Билет <№ 1> & гости")
    assert svg.startswith("<svg ")
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg
    size = (qr.version * 4 + 17 + 2 * 4) * 8
    assert f'viewBox="0 0 {size} {size}"' in svg
    assert f'width="{size}" height="{size}"' in svg
    assert "<title>Билет &lt;№ 1&gt; &amp; гости</title>" in svg
    assert 'role="img"' in svg
    assert 'stroke="#000"' in svg
    assert "<title>" not in ticket_qr_svg(CODE)
