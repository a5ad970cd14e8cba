"""Consent versions are kept as a history: a new text needs consent again before registering,
and the consent given to the old one stays on record."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts import service as accounts_service
from openindustry.accounts.consent import CONSENT_TEXT, CONSENT_VERSION
from openindustry.accounts.models import ConsentRecord
from tests.privacy.conftest import rows
from tests.registration.conftest import MakeParticipant, MakeSlot

NEW_VERSION = "2027-01"
NEW_TEXT = CONSENT_TEXT + "\nДобавлено: данные о посещениях хранятся три года.\n"


async def test_a_new_version_asks_again_and_the_history_keeps_both(
    session: AsyncSession,
    participant: MakeParticipant,
    open_slot: MakeSlot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    anna = await participant(consent=False)
    first, second = await open_slot(), await open_slot(starts_in=timedelta(days=6))
    refused = await anna.register(first.id)
    assert refused.json()["error"]["code"] == "consent_required"

    for _ in range(2):  # the same version again records nothing new
        given = await anna.post("/api/v1/me/consent", json={"version": CONSENT_VERSION})
        assert given.status_code == 200
    user_id = given.json()["id"]
    assert (await anna.register(first.id)).status_code == 201
    [old] = await rows(session, ConsentRecord, user_id=user_id)
    assert old.version == CONSENT_VERSION
    assert old.text_sha256 == hashlib.sha256(CONSENT_TEXT.encode()).hexdigest()

    # The organizers publish a new text.
    monkeypatch.setattr(accounts_service, "CONSENT_VERSION", NEW_VERSION)
    monkeypatch.setattr(accounts_service, "CONSENT_TEXT", NEW_TEXT)
    assert (await anna.get("/api/v1/consent")).json()["version"] == NEW_VERSION
    me = (await anna.get("/api/v1/me")).json()
    assert me["consent"] == {
        "version": CONSENT_VERSION,
        "given_at": me["consent"]["given_at"],
        "current": False,
    }
    again = await anna.register(second.id)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "consent_required"
    stale = await anna.post("/api/v1/me/consent", json={"version": CONSENT_VERSION})
    assert stale.json()["error"]["code"] == "consent_version_mismatch"

    assert (await anna.post("/api/v1/me/consent", json={"version": NEW_VERSION})).is_success
    assert (await anna.register(second.id)).status_code == 201
    history = await rows(session, ConsentRecord, user_id=user_id)
    assert [(r.version, r.withdrawn_at) for r in history] == [
        (CONSENT_VERSION, None),
        (NEW_VERSION, None),
    ]
    assert history[0].given_at < history[1].given_at
    assert history[1].text_sha256 == hashlib.sha256(NEW_TEXT.encode()).hexdigest()
    exported = (await anna.get("/api/v1/me/export")).json()["account"]["consents"]
    assert [c["version"] for c in exported] == [CONSENT_VERSION, NEW_VERSION]
