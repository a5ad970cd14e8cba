"""Registration refusals, each with a stable code (DESIGN.md's API table names them)."""

from openindustry.kit.errors import Conflict, Forbidden, Invalid, NotFound


class RegistrationNotFound(NotFound):
    code = "registration_not_found"


class SoldOut(Conflict):
    code = "sold_out"


class AlreadyRegistered(Conflict):
    code = "already_registered"


class TasksRequired(Conflict):
    code = "tasks_required"


class RegistrationClosed(Conflict):
    code = "registration_closed"


class LimitReached(Conflict):
    code = "limit_reached"


class TimeConflict(Conflict):
    code = "time_conflict"


class AgeRestricted(Conflict):
    code = "age_restricted"


class ConsentRequired(Conflict):
    code = "consent_required"


class IdDocumentRequired(Conflict):
    code = "id_document_required"


class RegistrationBlocked(Conflict):
    code = "registration_blocked"


class NotCancellable(Conflict):
    code = "not_cancellable"


class NoOffer(Conflict):
    code = "no_offer"


class OfferExpired(Conflict):
    code = "offer_expired"


class BadCompanions(Invalid):
    code = "invalid_companions"


class NotYours(Forbidden):
    code = "forbidden"


class NotMovable(Conflict):
    code = "not_movable"


class MoveNotAllowed(Conflict):
    code = "move_not_allowed"


class SlotCancelled(Conflict):
    code = "slot_cancelled"


class SlotStarted(Conflict):
    code = "slot_started"
