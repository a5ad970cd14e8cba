"""Accounts: users, identities (VK, Telegram, MAX, e-mail), tokens, roles, profiles, consent."""
