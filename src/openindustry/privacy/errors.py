"""Personal-data refusals, each with a stable code."""

from openindustry.kit.errors import Conflict, Invalid


class ConfirmationRequired(Invalid):
    code = "confirmation_required"


class StaffAccount(Conflict):
    code = "staff_account"
