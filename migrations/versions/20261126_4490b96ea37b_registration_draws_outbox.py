"""registration draws outbox

Revision ID: 4490b96ea37b
Revises: c3ec382c36a3
Create Date: 2026-11-26 05:34:15.602301
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text  # autogenerate writes JSONB(astext_type=Text())
from sqlalchemy.dialects import postgresql

import openindustry.kit.db

revision: str = "4490b96ea37b"
down_revision: str | None = "c3ec382c36a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "draw",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "slot",
                "prize",
                name="drawkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "committed",
                "drawn",
                name="drawstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("seed", sa.LargeBinary(), nullable=False),
        sa.Column("commitment", sa.String(length=64), nullable=False),
        sa.Column("public_value", sa.String(length=200), nullable=False),
        sa.Column(
            "published",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("created_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("drawn_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draw")),
        sa.UniqueConstraint("kind", "subject_id", name=op.f("uq_draw_kind_subject_id")),
    )
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("essential", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sent",
                "failed",
                name="notificationstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "next_attempt_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_notification_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notification_status_next", ["status", "next_attempt_at"], unique=False
        )

    op.create_table(
        "registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "applied",
                "waitlisted",
                "offered",
                "confirmed",
                "cancelled",
                "expired",
                name="registrationstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("party_size", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("slot_starts_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("slot_ends_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "companions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("queue_rank", sa.Integer(), nullable=True),
        sa.Column(
            "offer_expires_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("ticket_code", sa.String(length=200), nullable=True),
        sa.Column("created_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.String(length=32), nullable=True),
        sa.Column("late_cancellation", sa.Boolean(), nullable=False),
        sa.Column("attended_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("no_show", sa.Boolean(), nullable=False),
        sa.CheckConstraint("party_size >= 1", name=op.f("ck_registration_party_size_positive")),
        sa.ForeignKeyConstraint(
            ["slot_id"], ["slot.id"], name=op.f("fk_registration_slot_id_slot"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_registration_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration")),
        sa.UniqueConstraint(
            "user_id", "idempotency_key", name=op.f("uq_registration_user_id_idempotency_key")
        ),
    )
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.create_index(
            "ix_registration_offer_expires_at", ["offer_expires_at"], unique=False
        )
        batch_op.create_index(
            "ix_registration_slot_status", ["slot_id", "status", "queue_rank"], unique=False
        )
        batch_op.create_index("ix_registration_user_status", ["user_id", "status"], unique=False)
        batch_op.create_index(
            "uq_registration_active_user_slot",
            ["user_id", "slot_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('applied', 'waitlisted', 'offered', 'confirmed')"),
            postgresql_where=sa.text("status IN ('applied', 'waitlisted', 'offered', 'confirmed')"),
        )

    with op.batch_alter_table("series", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "waitlist_confirms_directly",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )


def downgrade() -> None:

    with op.batch_alter_table("series", schema=None) as batch_op:
        batch_op.drop_column("waitlist_confirms_directly")

    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_registration_active_user_slot",
            sqlite_where=sa.text("status IN ('applied', 'waitlisted', 'offered', 'confirmed')"),
            postgresql_where=sa.text("status IN ('applied', 'waitlisted', 'offered', 'confirmed')"),
        )
        batch_op.drop_index("ix_registration_user_status")
        batch_op.drop_index("ix_registration_slot_status")
        batch_op.drop_index("ix_registration_offer_expires_at")

    op.drop_table("registration")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_status_next")

    op.drop_table("notification")
    op.drop_table("draw")
