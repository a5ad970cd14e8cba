"""audit log of staff actions

Revision ID: 0006a_audit
Revises: 0005b_quests
Create Date: 2026-11-26 06:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import openindustry.kit.db

revision: str = "0006a_audit"
down_revision: str | None = "0005b_quests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")


def _time(name: str, *, nullable: bool) -> sa.Column:
    return sa.Column(name, openindustry.kit.db.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("before", JSON_DOCUMENT, nullable=True),
        sa.Column("after", JSON_DOCUMENT, nullable=True),
        _time("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entry_actor_created", ["actor_id", "created_at"])
        batch_op.create_index("ix_audit_entry_action_created", ["action", "created_at"])
        batch_op.create_index(
            "ix_audit_entry_subject", ["subject_type", "subject_id", "created_at"]
        )
        batch_op.create_index("ix_audit_entry_created_at", ["created_at"])


def downgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_created_at")
        batch_op.drop_index("ix_audit_entry_subject")
        batch_op.drop_index("ix_audit_entry_action_created")
        batch_op.drop_index("ix_audit_entry_actor_created")
    op.drop_table("audit_entry")
