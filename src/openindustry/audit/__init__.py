"""Audit: the log of every change made by organizers and hosts."""
