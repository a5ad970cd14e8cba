"""Notifications: the transactional outbox of messages to participants and staff."""
