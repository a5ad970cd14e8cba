"""Catalog refusals, each with a stable code."""

from openindustry.kit.errors import Conflict, Invalid, NotFound


class EnterpriseNotFound(NotFound):
    code = "enterprise_not_found"


class ProgramNotFound(NotFound):
    code = "program_not_found"


class SeriesNotFound(NotFound):
    code = "series_not_found"


class SlotNotFound(NotFound):
    code = "slot_not_found"


class IndustryNotFound(NotFound):
    code = "industry_not_found"


class SlugTaken(Conflict):
    code = "slug_taken"


class InvalidDateRange(Invalid):
    code = "invalid_date_range"


class InvalidTimeRange(Invalid):
    code = "invalid_time_range"


class CapacityBelowTaken(Conflict):
    code = "capacity_below_taken"


class PastDate(Invalid):
    code = "past_date"


class SlotOverlap(Conflict):
    code = "slot_overlap"


class NothingToSchedule(Invalid):
    code = "nothing_to_schedule"


class TooManySlots(Invalid):
    code = "too_many_slots"
