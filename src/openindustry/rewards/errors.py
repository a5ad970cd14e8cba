"""Rewards refusals, each with a stable code."""

from openindustry.kit.errors import Conflict, Invalid, NotFound


class PrizeNotFound(NotFound):
    code = "prize_not_found"


class ClaimNotFound(NotFound):
    code = "claim_not_found"


class InsufficientPoints(Conflict):
    code = "insufficient_points"


class OutOfStock(Conflict):
    code = "out_of_stock"


class ClaimLimitReached(Conflict):
    code = "claim_limit_reached"


class DrawOnly(Conflict):
    code = "draw_only"


class ClaimCancelled(Conflict):
    code = "claim_cancelled"


class ClaimHandedOver(Conflict):
    code = "claim_handed_over"


class InvalidPoints(Invalid):
    code = "invalid_points"


class StockBelowZero(Conflict):
    code = "stock_below_zero"


class DrawNotAnnounced(Conflict):
    code = "draw_not_announced"
