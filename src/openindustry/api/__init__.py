"""The JSON adapter: every domain's router under /api/v1, and the one place errors become statuses."""
