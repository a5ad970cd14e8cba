"""Verification of what a platform signed: the server never trusts a user id it did not verify."""
