"""The `openindustry` command line; commands call services only."""
