"""Quest refusals, each with a stable code."""

from openindustry.kit.errors import Conflict, Invalid, NotFound


class TaskNotFound(NotFound):
    code = "task_not_found"


class TaskClosed(Conflict):
    code = "task_closed"


class AttemptsExhausted(Conflict):
    code = "attempts_exhausted"


class AttemptExpired(Conflict):
    code = "attempt_expired"


class NoOpenAttempt(Conflict):
    code = "no_open_attempt"


class AlreadyDone(Conflict):
    code = "already_done"


class FeedbackNotAllowed(Conflict):
    code = "feedback_not_allowed"


class NotSubmittable(Conflict):
    """Attendance and referral tasks complete by themselves; nothing is submitted for them."""

    code = "not_submittable"


class TaskHasAttempts(Conflict):
    code = "task_has_attempts"


class TryAgain(Conflict):
    code = "try_again"


class InvalidAnswers(Invalid):
    code = "invalid_answers"


class InvalidTask(Invalid):
    code = "invalid_task"


class InvalidReferral(Invalid):
    code = "invalid_referral_code"


class ReferralRefused(Conflict):
    code = "referral_refused"


class TooManyRequiredTasks(Invalid):
    """A series or a slot requires at most MAX_REQUIRED_TASKS tasks."""

    code = "too_many_required_tasks"
