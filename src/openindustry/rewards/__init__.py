"""Rewards: the points ledger, leaderboards, prizes and their claims."""
