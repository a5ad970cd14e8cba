"""Check-in refusals: each with a stable code the scanner shows as a clear message."""

from __future__ import annotations

from openindustry.kit.errors import Conflict, Forbidden, NotFound


class WrongEnterprise(Forbidden):
    # Says nothing about the ticket: another enterprise's guests are not this host's business.
    code = "wrong_enterprise"


class WrongSlot(Conflict):
    code = "wrong_slot"


class WrongDay(Conflict):
    code = "wrong_day"


class TicketCancelled(Conflict):
    code = "cancelled"


class NotConfirmed(Conflict):
    code = "not_confirmed"


class SlotNotHosted(Forbidden):
    code = "forbidden"


class SlotMissing(NotFound):
    code = "slot_not_found"
