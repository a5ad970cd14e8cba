"""catalog

Revision ID: 79f549df3dbe
Revises: -
Create Date: 2026-11-26 05:08:13.910588
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import openindustry.kit.db

revision: str = "79f549df3dbe"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "industry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_industry")),
        sa.UniqueConstraint("slug", name=op.f("uq_industry_slug")),
    )
    op.create_table(
        "series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("opens_days_before", sa.Integer(), nullable=False),
        sa.Column("opens_at_time", sa.Time(), nullable=False),
        sa.Column("closes_hours_before", sa.Integer(), nullable=False),
        sa.Column(
            "allocation_mode",
            sa.Enum(
                "fcfs",
                "lottery",
                name="allocationmode",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("max_active_registrations", sa.Integer(), nullable=True),
        sa.Column("created_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("closes_hours_before >= 0", name=op.f("ck_series_closes_hours_before")),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_series_date_range")),
        sa.CheckConstraint("opens_days_before >= 0", name=op.f("ck_series_opens_days_before")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series")),
    )
    op.create_table(
        "enterprise",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("industry_id", sa.Integer(), nullable=False),
        sa.Column("short_description", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("metro", sa.String(length=120), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("requires_id_document", sa.Boolean(), nullable=False),
        sa.Column("min_age", sa.Integer(), nullable=True),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("created_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["industry_id"],
            ["industry.id"],
            name=op.f("fk_enterprise_industry_id_industry"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise")),
        sa.UniqueConstraint("slug", name=op.f("uq_enterprise_slug")),
    )
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.create_index("ix_enterprise_industry_id", ["industry_id"], unique=False)

    op.create_table(
        "program",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "format",
            sa.Enum(
                "excursion",
                "master_class",
                "lecture",
                "online",
                name="programformat",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("age_rating", sa.Integer(), nullable=False),
        sa.Column(
            "audience_tags",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("accessibility_notes", sa.Text(), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("age_rating IN (0, 6, 12, 16, 18)", name=op.f("ck_program_age_rating")),
        sa.CheckConstraint("duration_minutes > 0", name=op.f("ck_program_duration_positive")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_program_enterprise_id_enterprise"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program")),
    )
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.create_index("ix_program_enterprise_id", ["enterprise_id"], unique=False)

    op.create_table(
        "slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("starts_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("seats_taken", sa.Integer(), nullable=False),
        sa.Column("meeting_point", sa.String(length=300), nullable=True),
        sa.Column(
            "registration_mode",
            sa.Enum(
                "fcfs",
                "lottery",
                name="allocationmode",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "registration_opens_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "registration_closes_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "status",
            sa.Enum(
                "scheduled",
                "cancelled",
                name="slotstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("capacity >= 0", name=op.f("ck_slot_capacity_nonnegative")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_slot_time_range")),
        sa.CheckConstraint(
            "seats_taken >= 0 AND seats_taken <= capacity",
            name=op.f("ck_slot_seats_within_capacity"),
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["program.id"],
            name=op.f("fk_slot_program_id_program"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["series_id"], ["series.id"], name=op.f("fk_slot_series_id_series"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slot")),
    )
    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.create_index("ix_slot_program_id", ["program_id"], unique=False)
        batch_op.create_index("ix_slot_series_id", ["series_id"], unique=False)
        batch_op.create_index("ix_slot_starts_at", ["starts_at"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.drop_index("ix_slot_starts_at")
        batch_op.drop_index("ix_slot_series_id")
        batch_op.drop_index("ix_slot_program_id")

    op.drop_table("slot")
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.drop_index("ix_program_enterprise_id")

    op.drop_table("program")
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.drop_index("ix_enterprise_industry_id")

    op.drop_table("enterprise")
    op.drop_table("series")
    op.drop_table("industry")
