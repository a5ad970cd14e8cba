"""Scheduled work: offer expiry, lottery draws, no-shows (in `serve` or `openindustry worker`)."""
