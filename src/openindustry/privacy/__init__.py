"""Personal data across the domains: a participant's export, account deletion, the daily purge."""
