"""Imports every domain's models, so mappers are configured and Alembic sees the whole schema."""

from openindustry.catalog import models as catalog_models
from openindustry.kit.db import Base

metadata = Base.metadata

__all__ = ["catalog_models", "metadata"]
