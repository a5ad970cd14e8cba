"""Imports every domain's models, so mappers are configured and Alembic sees the whole schema."""

from openindustry.accounts import models as accounts_models
from openindustry.audit import models as audit_models
from openindustry.catalog import models as catalog_models
from openindustry.checkin import models as checkin_models
from openindustry.draws import models as draws_models
from openindustry.kit.db import Base
from openindustry.notifications import models as notifications_models
from openindustry.privacy import models as privacy_models
from openindustry.quests import models as quests_models
from openindustry.registration import models as registration_models
from openindustry.rewards import models as rewards_models

metadata = Base.metadata

__all__ = [
    "accounts_models",
    "audit_models",
    "catalog_models",
    "checkin_models",
    "draws_models",
    "metadata",
    "notifications_models",
    "privacy_models",
    "quests_models",
    "registration_models",
    "rewards_models",
]
