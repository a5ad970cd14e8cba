"""personal data: account deletion and export

Consent history (consent_record, filled from the current consent of each account), the deletion
mark of an account, a deleted participant's age group on their registrations, and the daily purge's
marker.

Revision ID: 0008c_privacy
Revises: 0008b_outbox_states
Create Date: 2026-11-26 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import openindustry.kit.db

revision: str = "0008c_privacy"
down_revision: str | None = "0008b_outbox_states"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "consent_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=True),
        sa.Column("given_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_consent_record_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_record")),
    )
    with op.batch_alter_table("consent_record", schema=None) as batch_op:
        batch_op.create_index("ix_consent_record_user_id", ["user_id", "given_at"], unique=False)
    # The consent each account holds now becomes the first line of its history.
    op.execute(
        "INSERT INTO consent_record (user_id, version, given_at) "
        "SELECT id, consent_version, consent_at FROM user_account "
        "WHERE consent_version IS NOT NULL AND consent_at IS NOT NULL"
    )
    op.create_table(
        "purge_run",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("ran_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("counts", JSON_DOCUMENT, nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_purge_run")),
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("deleted_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("participant_age_group", sa.String(length=16), nullable=True))


def downgrade() -> None:
    # Not batch mode: on SQLite a batch drop rebuilds the table, and dropping the old
    # user_account or registration with foreign keys on would cascade into every table that
    # points at it. SQLite 3.35+ drops a plain column in place.
    op.drop_column("registration", "participant_age_group")
    op.drop_column("user_account", "deleted_at")
    op.drop_table("purge_run")
    with op.batch_alter_table("consent_record", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_record_user_id")
    op.drop_table("consent_record")
