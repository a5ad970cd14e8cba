"""Accounts use cases: sign-in through every door, tokens, profiles, consent, ID data, staff."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts import repository as repo
from openindustry.accounts import rules
from openindustry.accounts.consent import CONSENT_TEXT, CONSENT_VERSION
from openindustry.accounts.errors import (
    AmbiguousContact,
    CompanionNotFound,
    ConsentVersionMismatch,
    IdentityTaken,
    InvalidCode,
    ProviderNotConfigured,
    TooManyAttempts,
    UserNotFound,
)
from openindustry.accounts.models import (
    AccessToken,
    Companion,
    ConsentRecord,
    EmailCode,
    IdDocument,
    Identity,
    Role,
    TokenKind,
    User,
)
from openindustry.accounts.providers.base import Provider, VerifiedIdentity
from openindustry.accounts.providers.max import verify_max
from openindustry.accounts.providers.telegram import verify_telegram
from openindustry.accounts.providers.vk import verify_vk
from openindustry.accounts.schemas import (
    AccountExport,
    AuthResult,
    BookingProfile,
    CompanionInput,
    CompanionRead,
    ConsentRead,
    ConsentRecordRead,
    ConsentState,
    EmailStarted,
    IdDocumentInput,
    IdDocumentRead,
    IdentityRecord,
    ParticipantContact,
    PersonContact,
    StaffCreate,
    StaffRead,
    UserRead,
    UserUpdate,
)
from openindustry.audit.service import AuditService
from openindustry.catalog.service import CatalogService
from openindustry.config import Settings
from openindustry.kit import clock, crypto
from openindustry.kit.auth import Principal
from openindustry.kit.errors import Invalid
from openindustry.kit.tx import transaction
from openindustry.notifications.schemas import DirectMessage
from openindustry.notifications.service import NotificationsService

log = logging.getLogger(__name__)

CODE_TTL = timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5
# The admins' list of staff: the program has ~150 enterprises, so a few hundred accounts.
MAX_STAFF_LISTED = 1000


class AccountsService:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        secret = settings.secret_key.get_secret_value()
        self._code_key = crypto.derive_key(secret, "email-code").hex()
        data_key = settings.data_key.get_secret_value().encode() if settings.data_key else None
        self._cipher = crypto.DataCipher(data_key or crypto.derive_key(secret, "id-data"))

    # Signing in --------------------------------------------------------------------------------

    async def sign_in(
        self,
        identity: VerifiedIdentity,
        *,
        link_to: int | None = None,
        kind: TokenKind = TokenKind.API,
    ) -> AuthResult:
        """Find or create the account behind a verified identity (or link it) and open a token."""
        async with transaction(self.session):
            user = await repo.user_by_identity(self.session, identity.provider, identity.subject)
            if user is not None and link_to is not None and user.id != link_to:
                raise IdentityTaken("Этот аккаунт уже привязан к другому профилю.")
            if user is None:
                user = await self._attach(identity, link_to)
            if identity.provider is Provider.EMAIL and user.email is None:
                user.email = identity.subject
            return await self._open_token(user, kind)

    async def sign_in_with_launch_data(
        self,
        provider: Provider,
        raw: str,
        *,
        link_to: int | None = None,
        kind: TokenKind = TokenKind.API,
    ) -> AuthResult:
        """Verify what the messenger signed, then sign in; nothing unverified is trusted."""
        return await self.sign_in(
            self.verify_launch_data(provider, raw), link_to=link_to, kind=kind
        )

    def verify_launch_data(self, provider: Provider, raw: str) -> VerifiedIdentity:
        secret = {
            Provider.VK: self.settings.vk_app_secret,
            Provider.TELEGRAM: self.settings.telegram_bot_token,
            Provider.MAX: self.settings.max_bot_token,
        }.get(provider)
        if secret is None:
            raise ProviderNotConfigured("Вход через эту платформу не настроен.")
        now, max_age = clock.now(), timedelta(seconds=self.settings.auth_max_age_seconds)
        key = secret.get_secret_value()
        if provider is Provider.VK:
            return verify_vk(raw, secret=key, now=now, max_age=max_age)
        if provider is Provider.TELEGRAM:
            return verify_telegram(raw, bot_token=key, now=now, max_age=max_age)
        return verify_max(raw, bot_token=key, now=now, max_age=max_age)

    async def _attach(self, identity: VerifiedIdentity, link_to: int | None) -> User:
        if link_to is not None:
            user = await self.session.get(User, link_to)
            if user is None:
                raise UserNotFound("Профиль не найден.")
        else:
            user = User(
                name=identity.display_name[:200],
                locale="en" if (identity.language or "ru").startswith("en") else "ru",
                notification_channels=[identity.provider.value],
            )
            self.session.add(user)
            await self.session.flush()
        try:
            # A savepoint: two first sign-ins of the same person at once must not both create.
            async with self.session.begin_nested():
                self.session.add(
                    Identity(user_id=user.id, provider=identity.provider, subject=identity.subject)
                )
        except IntegrityError as exc:
            raise IdentityTaken(
                "Этот способ входа уже привязан к профилю; повторите вход."
            ) from exc
        return user

    async def _open_token(self, user: User, kind: TokenKind) -> AuthResult:
        token = crypto.new_token()
        days = (
            self.settings.token_ttl_days
            if kind is TokenKind.API
            else self.settings.session_ttl_days
        )
        now = clock.now()
        expires_at = now + timedelta(days=days)
        await repo.note_sign_in(self.session, user.id, now)
        self.session.add(
            AccessToken(
                user_id=user.id,
                token_hash=crypto.token_digest(token),
                kind=kind,
                expires_at=expires_at,
            )
        )
        await self.session.flush()
        return AuthResult(token=token, expires_at=expires_at, user=await self._read(user))

    async def resolve_token(self, token: str) -> Principal | None:
        """The principal behind a live, unrevoked token; None for anything else."""
        async with transaction(self.session):
            found = await repo.live_token(self.session, crypto.token_digest(token), clock.now())
            if found is None:
                return None
            user_id, role = found
            enterprises = (
                await repo.enterprise_ids(self.session, user_id) if role is Role.HOST else []
            )
        return Principal(user_id, role.value, frozenset(enterprises))

    async def sign_out(self, token: str) -> None:
        """Revoke the token: it opens nothing from now on."""
        async with transaction(self.session):
            await repo.revoke_token(self.session, crypto.token_digest(token), clock.now())

    # E-mail codes ------------------------------------------------------------------------------

    async def start_email_sign_in(self, email: str) -> EmailStarted:
        """Send a fresh 6-digit code; it replaces any earlier one for the same address.

        The e-mail is an outbox row (the code sealed in it) committed with the code and sent
        right after the commit; the outbox retries it if the mail server does not answer.
        """
        email = self._valid_email(email)
        code = f"{secrets.randbelow(10**6):06d}"
        now = clock.now()
        async with transaction(self.session):
            await repo.retire_codes(self.session, email, now)
            self.session.add(
                EmailCode(
                    email=email,
                    code_hash=crypto.keyed_hash(self._code_key, code),
                    expires_at=now + CODE_TTL,
                )
            )
            if self.settings.smtp_url is not None:
                known = await repo.user_by_email(self.session, email)
                await NotificationsService(self.session, self.settings).enqueue_direct(
                    DirectMessage(
                        kind="accounts.email_code",
                        address=email,
                        locale=known.locale if known else self.settings.default_locale,
                        secrets={"code": code},
                        expires_at=now + CODE_TTL,
                    )
                )
        minutes = int(CODE_TTL.total_seconds())
        if self.settings.smtp_url is None and self.settings.environment != "production":
            return EmailStarted(sent=False, expires_in=minutes, dev_code=code)
        return EmailStarted(sent=True, expires_in=minutes)

    async def verify_email_code(
        self,
        email: str,
        code: str,
        *,
        link_to: int | None = None,
        kind: TokenKind = TokenKind.API,
    ) -> AuthResult:
        """Sign in with the code: at most 5 tries, valid 10 minutes, spent once."""
        email = self._valid_email(email)
        now = clock.now()
        async with transaction(self.session):
            row = await repo.latest_code(self.session, email)
            if row is None or row.expires_at <= now:
                raise InvalidCode("Код неверный или устарел. Запросите новый код.")
            if row.attempts >= CODE_MAX_ATTEMPTS:
                raise TooManyAttempts("Слишком много попыток. Запросите новый код.", retry_after=1)
            expected = crypto.keyed_hash(self._code_key, code.strip())
            matches = hmac.compare_digest(expected, row.code_hash)
            if matches and await repo.consume_code(self.session, row.id, now, CODE_MAX_ATTEMPTS):
                return await self.sign_in(
                    VerifiedIdentity(Provider.EMAIL, email), link_to=link_to, kind=kind
                )
            tries = await repo.count_failed_try(self.session, row.id, CODE_MAX_ATTEMPTS)
        # The failed try is committed above; only then is the caller refused.
        if tries is None or tries >= CODE_MAX_ATTEMPTS:
            raise TooManyAttempts("Слишком много попыток. Запросите новый код.", retry_after=1)
        raise InvalidCode("Код неверный. Проверьте письмо и попробуйте ещё раз.")

    def _valid_email(self, email: str) -> str:
        email = rules.normalize_email(email)
        if not rules.is_email(email):
            raise Invalid("Проверьте адрес электронной почты.", code="invalid_email")
        return email

    # Profile -----------------------------------------------------------------------------------

    async def me(self, user_id: int) -> UserRead:
        async with transaction(self.session):
            return await self._read(await self._user(user_id))

    async def update_me(self, user_id: int, data: UserUpdate) -> UserRead:
        """Change the profile; a given companion list replaces the old one in full."""
        async with transaction(self.session):
            user = await self._user(user_id)
            fields = data.model_dump(exclude_unset=True, exclude={"companions"})
            if fields.get("phone"):
                fields["phone"] = rules.normalize_phone(fields["phone"])
            for name, value in fields.items():
                # null for a field that always has a value means "leave it" (was a 500 for locale)
                if value is None and name in {"name", "locale", "notification_channels"}:
                    continue
                setattr(user, name, value)
            if data.companions is not None:
                await self._replace_companions(user_id, data)
            await self.session.flush()
            return await self._read(user)

    async def _replace_companions(self, user_id: int, data: UserUpdate) -> None:
        existing = {c.id: c for c in await repo.companions(self.session, user_id)}
        kept: set[int] = set()
        for item in data.companions or []:
            if item.id is None:
                self.session.add(
                    Companion(user_id=user_id, name=item.name, birth_date=item.birth_date)
                )
                continue
            companion = existing.get(item.id)
            if companion is None or item.id in kept:
                raise CompanionNotFound("Такого сопровождающего нет в профиле.")
            companion.name, companion.birth_date = item.name, item.birth_date
            kept.add(item.id)
        for companion_id, companion in existing.items():
            if companion_id not in kept:
                await self.session.delete(companion)

    async def names(self, user_ids: Sequence[int]) -> dict[int, str]:
        """Profile names of many people in one query (leaderboards); unknown ids are left out."""
        async with transaction(self.session):
            return await repo.names(self.session, list(set(user_ids)))

    async def booking_profile(self, user_id: int) -> BookingProfile:
        """Consent, birth date, companions and whether ID data is on file: registration's view."""
        async with transaction(self.session):
            # One query: this is on the path of every registration.
            found = await repo.booking_view(self.session, user_id)
        if found is None:
            raise UserNotFound("Профиль не найден.")
        user, companions, has_document = found
        return BookingProfile(
            user_id=user.id,
            name=user.name,
            birth_date=user.birth_date,
            consent_current=user.consent_version == CONSENT_VERSION,
            has_id_document=has_document,
            companions=[_companion(c) for c in companions],
        )

    async def companions(self, user_id: int) -> list[CompanionRead]:
        async with transaction(self.session):
            return [_companion(c) for c in await repo.companions(self.session, user_id)]

    # Consent -----------------------------------------------------------------------------------

    @staticmethod
    def consent() -> ConsentRead:
        return ConsentRead(version=CONSENT_VERSION, text=CONSENT_TEXT)

    async def give_consent(self, user_id: int, version: str) -> UserRead:
        """Record consent to the current text, as a new line of the person's consent history
        (earlier lines are kept); an outdated version is refused, the same one again is a no-op."""
        if version != CONSENT_VERSION:
            raise ConsentVersionMismatch(
                "Текст согласия обновился. Прочитайте новую версию и подтвердите её."
            )
        async with transaction(self.session):
            user = await self._user(user_id)
            if user.consent_version != version:
                now = clock.now()
                user.consent_version, user.consent_at = version, now
                digest = hashlib.sha256(CONSENT_TEXT.encode()).hexdigest()
                self.session.add(
                    ConsentRecord(
                        user_id=user.id, version=version, text_sha256=digest, given_at=now
                    )
                )
                await self.session.flush()
            return await self._read(user)

    async def consent_history(self, user_id: int) -> list[ConsentRecordRead]:
        """Every consent the person gave, oldest first, with when it was withdrawn."""
        async with transaction(self.session):
            rows = await repo.consents(self.session, user_id)
            return [
                ConsentRecordRead(
                    version=r.version,
                    text_sha256=r.text_sha256,
                    given_at=r.given_at,
                    withdrawn_at=r.withdrawn_at,
                )
                for r in rows
            ]

    async def has_current_consent(self, user_id: int) -> bool:
        async with transaction(self.session):
            return (await self._user(user_id)).consent_version == CONSENT_VERSION

    # ID document data --------------------------------------------------------------------------

    async def save_id_document(self, user_id: int, data: IdDocumentInput) -> UserRead:
        """Keep ID data encrypted; it is deleted after the retention period unless renewed."""
        payload = json.dumps(data.model_dump(mode="json"), ensure_ascii=False)
        delete_after = clock.now() + timedelta(days=self.settings.id_data_retention_days)
        async with transaction(self.session):
            user = await self._user(user_id)
            document = await repo.id_document(self.session, user_id)
            if document is None:
                document = IdDocument(user_id=user_id)
                self.session.add(document)
            document.ciphertext = self._cipher.encrypt(payload)
            document.masked = rules.mask_document_number(data.number)
            document.updated_at = clock.now()
            document.delete_after = delete_after
            await self.session.flush()
            return await self._read(user)

    async def keep_id_document_for(self, user_id: int, slot_ends_at: datetime) -> None:
        """Keep ID data until the retention period after this slot (never shorten it)."""
        until = slot_ends_at + timedelta(days=self.settings.id_data_retention_days)
        async with transaction(self.session):
            await repo.extend_id_document(self.session, user_id, until)

    async def delete_id_document(self, user_id: int) -> None:
        async with transaction(self.session):
            document = await repo.id_document(self.session, user_id)
            if document is not None:
                await self.session.delete(document)

    async def id_document(self, user_id: int) -> IdDocumentInput | None:
        """The document in clear, for the security desk's export only."""
        async with transaction(self.session):
            document = await repo.id_document(self.session, user_id)
        if document is None:
            return None
        return IdDocumentInput.model_validate_json(self._cipher.decrypt(document.ciphertext))

    # A person's own data: download and erasure (the privacy domain runs them for all domains) --

    async def export_person(self, user_id: int) -> AccountExport:
        """The profile, sign-in doors, companions, consent history; the ID number stays masked."""
        async with transaction(self.session):
            user = await self._user(user_id)
            identities = await repo.identity_rows(self.session, user_id)
            return AccountExport(
                profile=await self._read(user),
                created_at=user.created_at,
                identities=[
                    IdentityRecord(provider=i.provider, subject=i.subject, created_at=i.created_at)
                    for i in identities
                ],
                consents=await self.consent_history(user_id),
                sign_in_days=await repo.sign_in_days(self.session, user_id),
            )

    async def erase_person(self, user_id: int) -> dict[str, int]:
        """Erase what identifies the person; the emptied row stays so that what points at it
        (registrations, points, claims) keeps counting. Sign-in doors, companions, ID data and
        staff assignments are deleted, tokens revoked, consents withdrawn. Returns the counts."""
        async with transaction(self.session):
            user = await self._user(user_id)
            if user.deleted_at is not None:
                raise UserNotFound("Профиль уже удалён.")
            now = clock.now()
            counts = await repo.erase(self.session, user, now)
            user.name, user.email, user.phone, user.birth_date = "", None, None, None
            user.locale, user.notification_channels = "ru", []
            user.consent_version, user.consent_at = None, None
            user.role, user.deleted_at = Role.PARTICIPANT, now
            await self.session.flush()
            return counts

    async def deleted_among(self, user_ids: Sequence[int]) -> set[int]:
        """Which of these accounts were deleted (they enter no draw, receive nothing)."""
        async with transaction(self.session):
            return await repo.deleted_among(self.session, list(set(user_ids)))

    async def purge(self) -> dict[str, int]:
        """Delete personal data that is due, expired tokens and old sign-in codes."""
        now = clock.now()
        async with transaction(self.session):
            return await repo.purge(self.session, now, now - timedelta(days=1))

    # Staff -------------------------------------------------------------------------------------

    async def create_staff(self, data: StaffCreate, *, actor_id: int | None = None) -> UserRead:
        """Create (or update) a staff account that signs in with its e-mail code."""
        email = self._valid_email(data.email)
        async with transaction(self.session):
            catalog = CatalogService(self.session, self.settings.tz)
            for enterprise_id in data.enterprise_ids:
                await catalog.enterprise(enterprise_id)
            user = await repo.user_by_email(self.session, email)
            before = await self._staff_fields(user) if user else None
            if user is None:
                user = User(name=data.name or email.split("@")[0], email=email)
                self.session.add(user)
                await self.session.flush()
                await self._attach(VerifiedIdentity(Provider.EMAIL, email), user.id)
            user.role = data.role
            if data.name:
                user.name = data.name
            await repo.set_enterprises(self.session, user.id, data.enterprise_ids)
            await self.session.flush()
            await AuditService(self.session, self.settings.tz).record(
                actor_id,
                "staff.updated" if before else "staff.created",
                subject_type="user",
                subject_id=user.id,
                before=before,
                after=await self._staff_fields(user),
            )
            return await self._read(user)

    async def _staff_fields(self, user: User) -> dict[str, object]:
        return {
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "enterprise_ids": sorted(await repo.enterprise_ids(self.session, user.id)),
        }

    async def staff(self, role: Role | None = None) -> list[StaffRead]:
        """Hosts, organizers and admins (or those of one role), by name."""
        roles = [role] if role is not None else [Role.HOST, Role.ORGANIZER, Role.ADMIN]
        async with transaction(self.session):
            rows = await repo.staff(self.session, roles, limit=MAX_STAFF_LISTED)
        return [
            StaffRead(id=u.id, name=u.name, email=u.email, role=u.role, enterprise_ids=ids)
            for u, ids in rows
        ]

    async def issue_token(self, email: str) -> AuthResult:
        """A bearer token for scripts, for an existing account."""
        email = self._valid_email(email)
        async with transaction(self.session):
            user = await repo.user_by_email(self.session, email)
            if user is None:
                raise UserNotFound("Нет пользователя с таким адресом.")
            return await self._open_token(user, TokenKind.API)

    # On a person's behalf: an organizer registers someone who called ---------------------------

    async def contacts(self, user_ids: Sequence[int]) -> dict[int, PersonContact]:
        """Names, e-mails and phones of many people in one query (staff lists and search)."""
        async with transaction(self.session):
            users = await repo.contacts(self.session, list(set(user_ids)))
            return {
                u.id: PersonContact(user_id=u.id, name=u.name, email=u.email, phone=u.phone)
                for u in users
            }

    async def find_or_create_participant(self, data: ParticipantContact) -> tuple[int, bool]:
        """The account with this e-mail, else the one account with this phone, else a new
        participant account; returns its id and whether it was created now."""
        email = self._valid_email(data.email) if data.email else None
        phone = rules.normalize_phone(data.phone) if data.phone else None
        async with transaction(self.session):
            if email:
                user = await repo.user_by_identity(
                    self.session, Provider.EMAIL, email
                ) or await repo.user_by_email(self.session, email)
                if user is not None:
                    return user.id, False
            if phone:
                found = await repo.users_by_phone(self.session, phone)
                if len(found) > 1:
                    raise AmbiguousContact(
                        "С этим телефоном несколько профилей: укажите электронную почту."
                    )
                if found:
                    return found[0].id, False
            try:
                # A savepoint: two organizers adding the same caller at once must not both create.
                async with self.session.begin_nested():
                    user = User(
                        name=data.name, email=email, phone=phone, birth_date=data.birth_date
                    )
                    self.session.add(user)
                    await self.session.flush()
                    if email:
                        # The e-mail becomes a door: the person can sign in with its code later.
                        self.session.add(
                            Identity(user_id=user.id, provider=Provider.EMAIL, subject=email)
                        )
                        await self.session.flush()
            except IntegrityError as exc:
                raise IdentityTaken("Этот адрес только что добавили; повторите запись.") from exc
            return user.id, True

    async def add_companions(
        self, user_id: int, people: Sequence[CompanionInput]
    ) -> list[CompanionRead]:
        """The profile's companions for these people, in order: one already there (same name
        and birth date) is reused, anyone else is added to the profile."""
        async with transaction(self.session):
            await self._user(user_id)
            free = list(await repo.companions(self.session, user_id))
            chosen: list[CompanionRead] = []
            for person in people:
                name = " ".join(person.name.split())
                same = [c for c in free if c.birth_date == person.birth_date]
                match = next((c for c in same if c.name.casefold() == name.casefold()), None)
                if match is None:
                    match = Companion(user_id=user_id, name=name, birth_date=person.birth_date)
                    self.session.add(match)
                    await self.session.flush()
                else:
                    free.remove(match)
                chosen.append(_companion(match))
            return chosen

    # Reading -----------------------------------------------------------------------------------

    async def _user(self, user_id: int) -> User:
        user = await self.session.get(User, user_id)
        if user is None:
            raise UserNotFound("Профиль не найден.")
        return user

    async def _read(self, user: User) -> UserRead:
        document = await repo.id_document(self.session, user.id)
        id_document = None
        if document is not None:
            plain = IdDocumentInput.model_validate_json(self._cipher.decrypt(document.ciphertext))
            id_document = IdDocumentRead(
                document_type=plain.document_type,
                masked_number=document.masked,
                full_name=plain.full_name,
                delete_after=document.delete_after,
            )
        consent = None
        if user.consent_version and user.consent_at:
            consent = ConsentState(
                version=user.consent_version,
                given_at=user.consent_at,
                current=user.consent_version == CONSENT_VERSION,
            )
        return UserRead(
            id=user.id,
            name=user.name,
            email=user.email,
            phone=user.phone,
            birth_date=user.birth_date,
            role=user.role,
            locale=user.locale,
            notification_channels=user.notification_channels or [],
            companions=[_companion(c) for c in await repo.companions(self.session, user.id)],
            identities=list(await repo.identities(self.session, user.id)),
            consent=consent,
            id_document=id_document,
            enterprise_ids=await repo.enterprise_ids(self.session, user.id),
        )


def _companion(companion: Companion) -> CompanionRead:
    return CompanionRead(id=companion.id, name=companion.name, birth_date=companion.birth_date)
