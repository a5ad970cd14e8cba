"""Statistics refusals: bad filters are 422 with a stable code; unknown tables and charts 404."""

from openindustry.kit.errors import Invalid, NotFound


class InvalidDateRange(Invalid):
    code = "invalid_date_range"


class UnknownSeries(Invalid):
    code = "unknown_series"


class UnknownTable(NotFound):
    code = "unknown_table"


class UnknownChart(NotFound):
    code = "unknown_chart"
