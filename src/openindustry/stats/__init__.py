"""Statistics: read-only aggregates for dashboards and public counters."""
