"""review fixes: columns the back-office and notification fixes need

Revision ID: 0009b_review
Revises: 0008d_performance
Create Date: 2026-11-26 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009b_review"
down_revision: str | None = "0008d_performance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # registration.ticket_code was never written: a ticket's code is signed from the
    # registration whenever it is read (registration/tickets.py), so nothing is stored.
    # Not batch mode (as in 0008c): a batch drop would rebuild the table on SQLite, with its
    # partial unique indexes; SQLite 3.35+ drops a plain column in place.
    op.drop_column("registration", "ticket_code")


def downgrade() -> None:
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ticket_code", sa.String(length=200), nullable=True))
