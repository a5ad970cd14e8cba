"""The JSON adapter: domain routers under /api/v1, and the one place errors become statuses."""
