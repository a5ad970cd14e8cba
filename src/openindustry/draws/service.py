"""Draw use cases: commit to a seed, run over frozen entrants, publish, let anyone verify."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.config import Settings
from openindustry.draws import repository as repo
from openindustry.draws import rules
from openindustry.draws.errors import AlreadyDrawn, DrawNotFound
from openindustry.draws.models import Draw, DrawKind, DrawStatus
from openindustry.draws.schemas import DrawOutcome, DrawRead, Entrant
from openindustry.draws.verify import VerifyReport, verify
from openindustry.kit import clock, crypto
from openindustry.kit.tx import transaction

HOW_TO_VERIFY = (
    "Before the entries closed, SHA-256 of a secret seed was published (commitment). After the "
    "draw the seed is revealed: check SHA-256(seed) = commitment, then rank every entry by "
    "SHA-256(SHA-256(seed ‖ public_value ‖ draw_id) ‖ entry_id), highest first (with weights, "
    "by u^(1/weight)). `openindustry draw verify <id>` or the script in docs/fair-draws.md "
    "does it from this published data alone."
)


class DrawsService:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self._entry_key = crypto.derive_key(settings.secret_key.get_secret_value(), "draw-entries")

    async def ensure(self, kind: DrawKind, subject_id: int, public_value: str = "") -> DrawRead:
        """The draw for a subject, created with a fresh secret seed if there is none yet."""
        async with transaction(self.session):
            return _read(await self._row(kind, subject_id, public_value))

    async def _row(self, kind: DrawKind, subject_id: int, public_value: str = "") -> Draw:
        draw = await repo.by_subject(self.session, kind, subject_id)
        if draw is not None:
            return draw
        seed = rules.new_seed()
        draw = Draw(
            kind=kind,
            subject_id=subject_id,
            seed=seed,
            commitment=rules.commitment(seed),
            public_value=public_value,
        )
        try:
            async with self.session.begin_nested():
                self.session.add(draw)
        except IntegrityError:
            # Someone committed the draw at the same moment: theirs stands.
            existing = await repo.by_subject(self.session, kind, subject_id)
            if existing is None:
                raise
            return existing
        return draw

    async def run(
        self, kind: DrawKind, subject_id: int, entrants: Sequence[Entrant], seats: int
    ) -> DrawOutcome:
        """Freeze the entrants, reveal the seed, rank and allocate; publish everything."""
        async with transaction(self.session):
            draw = await self._row(kind, subject_id)
            if draw.status is DrawStatus.DRAWN:
                raise AlreadyDrawn("Розыгрыш уже проведён.")
            ids = {e.user_id: rules.entry_id(self._entry_key, draw.id, e.user_id) for e in entrants}
            published = rules.run_draw(
                draw.id,
                draw.seed,
                draw.public_value,
                [rules.PublishedEntry(ids[e.user_id], e.weight, e.party_size) for e in entrants],
                seats,
            )
            draw.published = published.to_json()
            draw.status = DrawStatus.DRAWN
            draw.drawn_at = clock.now()
            await self.session.flush()
        user_of = {entry: user for user, entry in ids.items()}
        return DrawOutcome(
            draw_id=draw.id,
            rank_of={user_of[e]: place for place, e in enumerate(published.ranked, 1)},
            winners=[user_of[e] for e in published.winners],
        )

    async def get(self, draw_id: int) -> DrawRead:
        async with transaction(self.session):
            draw = await repo.by_id(self.session, draw_id)
        if draw is None:
            raise DrawNotFound("Розыгрыш не найден.")
        return _read(draw)

    async def find(self, kind: DrawKind, subject_id: int) -> DrawRead | None:
        async with transaction(self.session):
            draw = await repo.by_subject(self.session, kind, subject_id)
        return _read(draw) if draw else None

    async def verify(self, draw_id: int) -> VerifyReport:
        """Recompute a draw from what it published, exactly as an outsider would."""
        read = await self.get(draw_id)
        if read.published is None:
            return verify(_unpublished(read))
        return verify(rules.PublishedDraw.from_json(read.published))


def _unpublished(read: DrawRead) -> rules.PublishedDraw:
    return rules.PublishedDraw(
        draw_id=read.id,
        algorithm=read.algorithm,
        commitment=read.commitment,
        public_value=read.public_value,
        seed_hex=None,
        entrants_count=0,
        entrants_digest="0" * 64,
        entries=(),
        seats=0,
        ranked=(),
        winners=(),
    )


def _read(draw: Draw) -> DrawRead:
    published = draw.published
    return DrawRead(
        id=draw.id,
        kind=draw.kind,
        subject_id=draw.subject_id,
        status=draw.status,
        algorithm=rules.ALGORITHM,
        commitment=draw.commitment,
        public_value=draw.public_value,
        created_at=draw.created_at,
        drawn_at=draw.drawn_at,
        seed=published["seed_hex"] if published else None,
        entrants_count=published["entrants_count"] if published else None,
        entrants_digest=published["entrants_digest"] if published else None,
        winners=list(published["winners"]) if published else [],
        published=published,
        how_to_verify=HOW_TO_VERIFY,
    )
