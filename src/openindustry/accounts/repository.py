"""All accounts SQL. Repositories read and stage writes; they never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import bindparam, delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import (
    AccessToken,
    Companion,
    ConsentRecord,
    EmailCode,
    HostAssignment,
    IdDocument,
    Identity,
    Role,
    SignInDay,
    User,
)
from openindustry.accounts.providers.base import Provider
from openindustry.kit import sql


async def user_by_identity(session: AsyncSession, provider: Provider, subject: str) -> User | None:
    query = (
        select(User)
        .join(Identity, Identity.user_id == User.id)
        .where(Identity.provider == provider, Identity.subject == subject)
    )
    return await session.scalar(query)


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email))


async def names(session: AsyncSession, user_ids: Sequence[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    query = select(User.id, User.name).where(User.id.in_(user_ids))
    return {row.id: row.name for row in (await session.execute(query)).all()}


async def identities(session: AsyncSession, user_id: int) -> Sequence[Provider]:
    query = select(Identity.provider).where(Identity.user_id == user_id).order_by(Identity.id)
    return (await session.scalars(query)).all()


async def companions(session: AsyncSession, user_id: int) -> Sequence[Companion]:
    query = select(Companion).where(Companion.user_id == user_id).order_by(Companion.id)
    return (await session.scalars(query)).all()


# Built once: every registration reads it (see registration/repository.py).
_BOOKING_VIEW = (
    select(User, Companion, exists().where(IdDocument.user_id == User.id).label("has_document"))
    .outerjoin(Companion, Companion.user_id == User.id)
    .where(User.id == bindparam("user_id"))
    .order_by(Companion.id)
)


async def booking_view(
    session: AsyncSession, user_id: int
) -> tuple[User, list[Companion], bool] | None:
    """The account, its companions and whether ID data is on file, in one query."""
    rows = (await session.execute(_BOOKING_VIEW, {"user_id": user_id})).all()
    if not rows:
        return None
    companions = [row[1] for row in rows if row[1] is not None]
    return rows[0][0], companions, bool(rows[0][2])


async def enterprise_ids(session: AsyncSession, user_id: int) -> list[int]:
    query = (
        select(HostAssignment.enterprise_id)
        .where(HostAssignment.user_id == user_id)
        .order_by(HostAssignment.enterprise_id)
    )
    return list((await session.scalars(query)).all())


async def set_enterprises(session: AsyncSession, user_id: int, enterprise_ids: list[int]) -> None:
    await session.execute(delete(HostAssignment).where(HostAssignment.user_id == user_id))
    session.add_all(HostAssignment(user_id=user_id, enterprise_id=e) for e in set(enterprise_ids))


async def staff(
    session: AsyncSession, roles: Sequence[Role], limit: int
) -> list[tuple[User, list[int]]]:
    """Accounts with these roles, by name, each with the enterprises it is assigned to."""
    query = select(User).where(User.role.in_(roles)).order_by(User.name, User.id).limit(limit)
    users = (await session.scalars(query)).all()
    assigned: dict[int, list[int]] = {u.id: [] for u in users}
    if users:
        rows = await session.execute(
            select(HostAssignment.user_id, HostAssignment.enterprise_id)
            .where(HostAssignment.user_id.in_(list(assigned)))
            .order_by(HostAssignment.enterprise_id)
        )
        for user_id, enterprise_id in rows.all():
            assigned[user_id].append(enterprise_id)
    return [(u, assigned[u.id]) for u in users]


# Built once, and only the two columns a principal needs: every API request whose token is not
# cached reads it (docs/benchmarks.md).
_LIVE_TOKEN = (
    select(User.id, User.role)
    .join(AccessToken, User.id == AccessToken.user_id)
    .where(
        AccessToken.token_hash == bindparam("token_hash"),
        AccessToken.revoked_at.is_(None),
        AccessToken.expires_at > bindparam("now", type_=AccessToken.expires_at.type),
    )
)


async def note_sign_in(session: AsyncSession, user_id: int, now: datetime) -> None:
    """One row per person and day, however often they open the app that day."""
    await session.execute(
        sql.insert(session, SignInDay)
        .values(user_id=user_id, day=now.date(), first_at=now)
        .on_conflict_do_nothing(index_elements=["user_id", "day"])
    )


async def sign_in_days(session: AsyncSession, user_id: int) -> list[date]:
    query = select(SignInDay.day).where(SignInDay.user_id == user_id).order_by(SignInDay.day)
    return list((await session.scalars(query)).all())


async def live_token(
    session: AsyncSession, token_hash: str, now: datetime
) -> tuple[int, Role] | None:
    """The user id and role behind a live, unrevoked token."""
    connection = await session.connection()  # Core: no ORM bookkeeping for two columns
    row = (await connection.execute(_LIVE_TOKEN, {"token_hash": token_hash, "now": now})).first()
    return (row[0], row[1]) if row else None


async def revoke_token(session: AsyncSession, token_hash: str, now: datetime) -> None:
    await session.execute(
        update(AccessToken)
        .where(AccessToken.token_hash == token_hash, AccessToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def latest_code(session: AsyncSession, email: str) -> EmailCode | None:
    query = (
        select(EmailCode)
        .where(EmailCode.email == email, EmailCode.consumed_at.is_(None))
        .order_by(EmailCode.id.desc())
        .limit(1)
    )
    return await session.scalar(query)


async def retire_codes(session: AsyncSession, email: str, now: datetime) -> None:
    await session.execute(
        update(EmailCode)
        .where(EmailCode.email == email, EmailCode.consumed_at.is_(None))
        .values(consumed_at=now)
    )


async def count_failed_try(session: AsyncSession, code_id: int, max_attempts: int) -> int | None:
    """Add a failed try unless the code is already spent; returns the new count, None if spent."""
    result = await session.execute(
        update(EmailCode)
        .where(EmailCode.id == code_id, EmailCode.attempts < max_attempts)
        .values(attempts=EmailCode.attempts + 1)
        .returning(EmailCode.attempts)
    )
    return result.scalar_one_or_none()


async def consume_code(
    session: AsyncSession, code_id: int, now: datetime, max_attempts: int
) -> bool:
    """Spend the code; a concurrent or replayed use of the same code finds nothing to spend."""
    result = await session.execute(
        update(EmailCode)
        .where(
            EmailCode.id == code_id,
            EmailCode.consumed_at.is_(None),
            EmailCode.attempts < max_attempts,
        )
        .values(consumed_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def id_document(session: AsyncSession, user_id: int) -> IdDocument | None:
    return await session.get(IdDocument, user_id)


async def purge(session: AsyncSession, now: datetime, codes_before: datetime) -> dict[str, int]:
    """Delete what is no longer needed: due ID data, dead tokens, old sign-in codes."""
    documents = await session.execute(delete(IdDocument).where(IdDocument.delete_after <= now))
    tokens = await session.execute(
        delete(AccessToken).where(
            or_(AccessToken.expires_at <= now, AccessToken.revoked_at.is_not(None))
        )
    )
    codes = await session.execute(delete(EmailCode).where(EmailCode.created_at < codes_before))
    return {
        "id_documents": documents.rowcount,  # type: ignore[attr-defined]
        "tokens": tokens.rowcount,  # type: ignore[attr-defined]
        "email_codes": codes.rowcount,  # type: ignore[attr-defined]
    }


async def extend_id_document(session: AsyncSession, user_id: int, until: datetime) -> None:
    await session.execute(
        update(IdDocument)
        .where(IdDocument.user_id == user_id, IdDocument.delete_after < until)
        .values(delete_after=until)
    )


async def contacts(session: AsyncSession, user_ids: Sequence[int]) -> Sequence[User]:
    if not user_ids:
        return []
    return (await session.scalars(select(User).where(User.id.in_(user_ids)))).all()


async def users_by_phone(session: AsyncSession, phone: str) -> Sequence[User]:
    """Accounts with this (normalised) phone: a phone is not unique, so there may be several."""
    query = select(User).where(User.phone == phone).order_by(User.id).limit(2)
    return (await session.scalars(query)).all()


async def consents(session: AsyncSession, user_id: int) -> Sequence[ConsentRecord]:
    query = (
        select(ConsentRecord)
        .where(ConsentRecord.user_id == user_id)
        .order_by(ConsentRecord.given_at, ConsentRecord.id)
    )
    return (await session.scalars(query)).all()


async def identity_rows(session: AsyncSession, user_id: int) -> Sequence[Identity]:
    query = select(Identity).where(Identity.user_id == user_id).order_by(Identity.id)
    return (await session.scalars(query)).all()


async def erase(session: AsyncSession, user: User, now: datetime) -> dict[str, int]:
    """Delete what identifies the person, revoke their tokens, withdraw their consents."""
    statements = {
        "identities": delete(Identity).where(Identity.user_id == user.id),
        "companions": delete(Companion).where(Companion.user_id == user.id),
        "id_documents": delete(IdDocument).where(IdDocument.user_id == user.id),
        "host_assignments": delete(HostAssignment).where(HostAssignment.user_id == user.id),
    }
    counts: dict[str, int] = {}
    for name, statement in statements.items():
        counts[name] = (await session.execute(statement)).rowcount  # type: ignore[attr-defined]
    codes = (
        await session.execute(delete(EmailCode).where(EmailCode.email == user.email))
        if user.email
        else None
    )
    counts["email_codes"] = codes.rowcount if codes else 0  # type: ignore[attr-defined]
    # Revoked, not deleted: the purge deletes them with everyone's dead tokens.
    tokens = await session.execute(
        update(AccessToken)
        .where(AccessToken.user_id == user.id, AccessToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    counts["tokens_revoked"] = tokens.rowcount  # type: ignore[attr-defined]
    withdrawn = await session.execute(
        update(ConsentRecord)
        .where(ConsentRecord.user_id == user.id, ConsentRecord.withdrawn_at.is_(None))
        .values(withdrawn_at=now)
    )
    counts["consents_withdrawn"] = withdrawn.rowcount  # type: ignore[attr-defined]
    return counts


async def deleted_among(session: AsyncSession, user_ids: Sequence[int]) -> set[int]:
    if not user_ids:
        return set()
    query = select(User.id).where(User.id.in_(user_ids), User.deleted_at.is_not(None))
    return set((await session.scalars(query)).all())
