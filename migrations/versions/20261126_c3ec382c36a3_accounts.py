"""accounts

Revision ID: c3ec382c36a3
Revises: 79f549df3dbe
Create Date: 2026-11-26 05:18:53.988271
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import openindustry.kit.db

revision: str = "c3ec382c36a3"
down_revision: str | None = "79f549df3dbe"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "email_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("consumed_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_code")),
    )
    with op.batch_alter_table("email_code", schema=None) as batch_op:
        batch_op.create_index("ix_email_code_email", ["email"], unique=False)

    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column(
            "role",
            sa.Enum(
                "participant",
                "host",
                "organizer",
                "admin",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column(
            "notification_channels",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("consent_version", sa.String(length=32), nullable=True),
        sa.Column("consent_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("email", name=op.f("uq_user_account_email")),
    )
    op.create_table(
        "access_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "api",
                "session",
                name="tokenkind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_access_token_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_access_token_token_hash")),
    )
    with op.batch_alter_table("access_token", schema=None) as batch_op:
        batch_op.create_index("ix_access_token_user_id", ["user_id"], unique=False)

    op.create_table(
        "companion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("created_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_companion_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_companion")),
    )
    with op.batch_alter_table("companion", schema=None) as batch_op:
        batch_op.create_index("ix_companion_user_id", ["user_id"], unique=False)

    op.create_table(
        "id_document",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("masked", sa.String(length=64), nullable=False),
        sa.Column("updated_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delete_after", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_id_document_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_id_document")),
    )
    with op.batch_alter_table("id_document", schema=None) as batch_op:
        batch_op.create_index("ix_id_document_delete_after", ["delete_after"], unique=False)

    op.create_table(
        "identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "provider",
            sa.Enum(
                "vk",
                "telegram",
                "max",
                "email",
                name="provider",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=320), nullable=False),
        sa.Column("created_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_identity_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity")),
        sa.UniqueConstraint("provider", "subject", name=op.f("uq_identity_provider_subject")),
        sa.UniqueConstraint("user_id", "provider", name=op.f("uq_identity_user_id_provider")),
    )
    op.create_table(
        "host_assignment",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_host_assignment_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_host_assignment_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "enterprise_id", name=op.f("pk_host_assignment")),
    )


def downgrade() -> None:

    op.drop_table("host_assignment")
    op.drop_table("identity")
    with op.batch_alter_table("id_document", schema=None) as batch_op:
        batch_op.drop_index("ix_id_document_delete_after")

    op.drop_table("id_document")
    with op.batch_alter_table("companion", schema=None) as batch_op:
        batch_op.drop_index("ix_companion_user_id")

    op.drop_table("companion")
    with op.batch_alter_table("access_token", schema=None) as batch_op:
        batch_op.drop_index("ix_access_token_user_id")

    op.drop_table("access_token")
    op.drop_table("user_account")
    with op.batch_alter_table("email_code", schema=None) as batch_op:
        batch_op.drop_index("ix_email_code_email")

    op.drop_table("email_code")
