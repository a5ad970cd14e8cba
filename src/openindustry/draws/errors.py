"""Draw refusals."""

from openindustry.kit.errors import Conflict, NotFound


class DrawNotFound(NotFound):
    code = "draw_not_found"


class AlreadyDrawn(Conflict):
    code = "already_drawn"
