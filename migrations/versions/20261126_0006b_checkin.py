"""check-in scans

Revision ID: 0006b_checkin
Revises: 0006a_audit
Create Date: 2026-11-26 06:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import openindustry.kit.db

revision: str = "0006b_checkin"
down_revision: str | None = "0006a_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")


def _time(name: str, *, nullable: bool) -> sa.Column:
    return sa.Column(name, openindustry.kit.db.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "checkin_scan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scan_id", sa.String(length=64), nullable=False),
        sa.Column("scanned_by", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        _time("scanned_at", nullable=False),
        _time("received_at", nullable=False),
        sa.Column("offline", sa.Boolean(), nullable=False),
        sa.Column("duplicate", sa.Boolean(), nullable=False),
        sa.Column("result", JSON_DOCUMENT, nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scanned_by"],
            ["user_account.id"],
            name=op.f("fk_checkin_scan_scanned_by_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_checkin_scan_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkin_scan")),
        sa.UniqueConstraint(
            "scanned_by", "scan_id", name=op.f("uq_checkin_scan_scanned_by_scan_id")
        ),
    )
    with op.batch_alter_table("checkin_scan", schema=None) as batch_op:
        batch_op.create_index("ix_checkin_scan_registration_id", ["registration_id"])
        batch_op.create_index("ix_checkin_scan_slot_id", ["slot_id"])


def downgrade() -> None:
    with op.batch_alter_table("checkin_scan", schema=None) as batch_op:
        batch_op.drop_index("ix_checkin_scan_slot_id")
        batch_op.drop_index("ix_checkin_scan_registration_id")
    op.drop_table("checkin_scan")
