"""Imports every domain's models, so mappers are configured and Alembic sees the whole schema."""

from openindustry.accounts import models as accounts_models
from openindustry.catalog import models as catalog_models
from openindustry.kit.db import Base

metadata = Base.metadata

__all__ = ["accounts_models", "catalog_models", "metadata"]
