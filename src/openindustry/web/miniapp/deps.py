"""Dependencies of the participants' pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from openindustry.web.render import Renderer, get_renderer

Pages = Annotated[Renderer, Depends(get_renderer)]
