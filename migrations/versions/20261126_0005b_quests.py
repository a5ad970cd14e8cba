"""quests: tasks, quiz questions and options, attempts, completions, feedback, referrals

Revision ID: 0005b_quests
Revises: 0005a_rewards
Create Date: 2026-11-26 06:00:01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import openindustry.kit.db

revision: str = "0005b_quests"
down_revision: str | None = "0005a_rewards"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")


def _time(name: str, *, nullable: bool) -> sa.Column:
    return sa.Column(name, openindustry.kit.db.UTCDateTime(timezone=True), nullable=nullable)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _user_fk(table: str, column: str = "user_id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        ["user_account.id"],
        name=op.f(f"fk_{table}_{column}_user_account"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            _enum("taskkind", "quiz", "code_word", "attendance", "feedback", "referral"),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        _time("opens_at", nullable=True),
        _time("closes_at", nullable=True),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("max_attempts", sa.Integer(), nullable=True),
        sa.Column("pass_threshold", sa.Integer(), nullable=True),
        sa.Column("time_limit_seconds", sa.Integer(), nullable=True),
        sa.Column("code_word", sa.String(length=100), nullable=True),
        sa.Column(
            "attendance_scope",
            _enum("attendancescope", "any", "series", "enterprise"),
            nullable=True,
        ),
        sa.Column("scope_id", sa.Integer(), nullable=True),
        _time("created_at", nullable=False),
        sa.CheckConstraint("points >= 0", name=op.f("ck_task_points_non_negative")),
        sa.ForeignKeyConstraint(
            ["series_id"], ["series.id"], name=op.f("fk_task_series_id_series"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task")),
    )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index("ix_task_kind", ["kind"], unique=False)

    op.create_table(
        "quiz_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("image_url", sa.String(length=500), nullable=True),
        sa.Column("multiple", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_quiz_question_task_id_task"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_question")),
    )
    with op.batch_alter_table("quiz_question", schema=None) as batch_op:
        batch_op.create_index("ix_quiz_question_task", ["task_id", "position"], unique=False)

    op.create_table(
        "quiz_option",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["quiz_question.id"],
            name=op.f("fk_quiz_option_question_id_quiz_question"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_option")),
    )
    with op.batch_alter_table("quiz_option", schema=None) as batch_op:
        batch_op.create_index("ix_quiz_option_question", ["question_id", "position"], unique=False)

    op.create_table(
        "attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        _time("started_at", nullable=False),
        _time("deadline", nullable=True),
        _time("submitted_at", nullable=True),
        sa.Column("layout", JSON_DOCUMENT, nullable=False),
        sa.Column("answers", JSON_DOCUMENT, nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("max_score", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("expired", sa.Boolean(), nullable=False),
        sa.CheckConstraint("number >= 1", name=op.f("ck_attempt_number_positive")),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_attempt_task_id_task"), ondelete="CASCADE"
        ),
        _user_fk("attempt"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempt")),
        sa.UniqueConstraint(
            "task_id", "user_id", "number", name=op.f("uq_attempt_task_id_user_id_number")
        ),
    )
    with op.batch_alter_table("attempt", schema=None) as batch_op:
        batch_op.create_index("ix_attempt_task_score", ["task_id", "score"], unique=False)

    op.create_table(
        "task_completion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        _time("completed_at", nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("slot_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["task.id"],
            name=op.f("fk_task_completion_task_id_task"),
            ondelete="CASCADE",
        ),
        _user_fk("task_completion"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_completion")),
        sa.UniqueConstraint("task_id", "user_id", name=op.f("uq_task_completion_task_id_user_id")),
    )
    with op.batch_alter_table("task_completion", schema=None) as batch_op:
        batch_op.create_index("ix_task_completion_user", ["user_id"], unique=False)

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        _time("created_at", nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_feedback_rating_range")),
        sa.ForeignKeyConstraint(
            ["slot_id"], ["slot.id"], name=op.f("fk_feedback_slot_id_slot"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_feedback_task_id_task"), ondelete="SET NULL"
        ),
        _user_fk("feedback"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("user_id", "slot_id", name=op.f("uq_feedback_user_id_slot_id")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index("ix_feedback_slot", ["slot_id"], unique=False)

    op.create_table(
        "referral",
        sa.Column("invitee_id", sa.Integer(), nullable=False),
        sa.Column("referrer_id", sa.Integer(), nullable=False),
        _time("created_at", nullable=False),
        sa.CheckConstraint(
            "referrer_id < invitee_id", name=op.f("ck_referral_referrer_joined_earlier")
        ),
        _user_fk("referral", "invitee_id"),
        _user_fk("referral", "referrer_id"),
        sa.PrimaryKeyConstraint("invitee_id", name=op.f("pk_referral")),
    )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index("ix_referral_referrer", ["referrer_id"], unique=False)


def downgrade() -> None:
    for table, index in (
        ("referral", "ix_referral_referrer"),
        ("feedback", "ix_feedback_slot"),
        ("task_completion", "ix_task_completion_user"),
        ("attempt", "ix_attempt_task_score"),
        ("quiz_option", "ix_quiz_option_question"),
        ("quiz_question", "ix_quiz_question_task"),
        ("task", "ix_task_kind"),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(index)
        op.drop_table(table)
