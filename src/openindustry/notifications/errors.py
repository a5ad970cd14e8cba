"""Outbox refusals with stable codes."""

from __future__ import annotations

from openindustry.kit.errors import Conflict, NotFound


class NotificationNotFound(NotFound):
    code = "notification_not_found"


class NotificationNotDead(Conflict):
    code = "notification_not_dead"


class NotificationNotRetryable(Conflict):
    code = "notification_not_retryable"
