"""required tasks

Revision ID: 8916d5dc271b
Revises: 4490b96ea37b
Create Date: 2026-11-26 05:45:07.295194
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text  # autogenerate writes JSONB(astext_type=Text())
from sqlalchemy.dialects import postgresql

revision: str = "8916d5dc271b"
down_revision: str | None = "4490b96ea37b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    with op.batch_alter_table("series", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "required_tasks",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
                nullable=False,
                server_default=sa.text("'[]'"),
            )
        )

    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "required_tasks",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
                nullable=False,
                server_default=sa.text("'[]'"),
            )
        )


def downgrade() -> None:

    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.drop_column("required_tasks")

    with op.batch_alter_table("series", schema=None) as batch_op:
        batch_op.drop_column("required_tasks")
