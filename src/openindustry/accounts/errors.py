"""Accounts refusals, each with a stable code."""

from openindustry.kit.errors import AppError, Conflict, ErrorKind, Invalid, NotFound, RateLimited


class UserNotFound(NotFound):
    code = "user_not_found"


class InvalidCode(AppError):
    kind = ErrorKind.BAD_REQUEST
    code = "invalid_code"


class TooManyAttempts(RateLimited):
    code = "too_many_attempts"


class IdentityTaken(Conflict):
    code = "identity_taken"


class ConsentVersionMismatch(Conflict):
    code = "consent_version_mismatch"


class CompanionNotFound(Invalid):
    code = "companion_not_found"


class EnterpriseUnknown(Invalid):
    code = "enterprise_not_found"


class ProviderNotConfigured(AppError):
    kind = ErrorKind.UNAVAILABLE
    code = "provider_not_configured"


class AmbiguousContact(Conflict):
    code = "ambiguous_contact"
