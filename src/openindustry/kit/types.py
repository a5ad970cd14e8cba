"""Input types shared by every domain's schemas and routes."""

from typing import Annotated

from fastapi import Path
from pydantic import Field

# Ids are 32-bit integers in the database; a larger number from a client must be a 422 or 404,
# never an overflow inside the driver.
MAX_ID = 2**31 - 1
DbId = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
