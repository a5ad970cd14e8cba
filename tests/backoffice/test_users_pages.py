"""Staff accounts through the admin's form: create, update the role and enterprises, refusals."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import Role, User
from openindustry.audit.models import AuditEntry
from tests import factories
from tests.backoffice.conftest import SignIn, post_form, text_of

PAGE = "/backoffice/users"


async def test_admin_creates_then_updates_a_host(sign_in: SignIn, session: AsyncSession) -> None:
    plant = await factories.enterprise(session, name="Завод «Кубарь»")
    client = await sign_in(Role.ADMIN)
    page = await client.get(PAGE)
    assert "Завод «Кубарь»" in text_of(page)

    created = await post_form(
        client,
        PAGE,
        PAGE,
        {
            "email": "Olga@Example.org",
            "name": "Ольга",
            "role": "host",
            "enterprise_ids": [plant.id],
        },
    )
    assert created.status_code == 303
    assert "Изменения сохранены." in text_of(await client.get(PAGE))
    user = await session.scalar(select(User).where(User.email == "olga@example.org"))
    assert user is not None
    assert user.role is Role.HOST

    promoted = await post_form(
        client, PAGE, PAGE, {"email": "olga@example.org", "role": "organizer"}
    )
    assert promoted.status_code == 303
    await session.refresh(user)
    assert user.role is Role.ORGANIZER
    actions = [e.action for e in await session.scalars(select(AuditEntry))]
    assert "staff.updated" in actions


async def test_refusals_keep_the_input(sign_in: SignIn, session: AsyncSession) -> None:
    client = await sign_in(Role.ADMIN)
    bad = await post_form(client, PAGE, PAGE, {"email": "не почта", "role": "host"})
    assert bad.status_code == 422
    assert "Проверьте адрес электронной почты" in text_of(bad)
    assert 'value="не почта"' in bad.text
    role = await post_form(client, PAGE, PAGE, {"email": "a@example.org", "role": "boss"})
    assert role.status_code == 422
    unknown = await post_form(
        client, PAGE, PAGE, {"email": "a@example.org", "role": "host", "enterprise_ids": "999999"}
    )
    assert unknown.status_code == 404
    assert "Такого предприятия нет" in text_of(unknown)


async def test_only_admins(sign_in: SignIn, session: AsyncSession) -> None:
    organizer = await sign_in(Role.ORGANIZER)
    assert (await organizer.get(PAGE)).status_code == 403
    assert (await organizer.post(PAGE, data={"email": "x@example.org"})).status_code == 403


async def test_the_staff_list_by_role(sign_in: SignIn, session: AsyncSession) -> None:
    plant = await factories.enterprise(session, name="ПАО «Ил»")
    client = await sign_in(Role.ADMIN)
    for email, role, plants in (
        ("host@example.org", "host", [plant.id]),
        ("org@example.org", "organizer", []),
    ):
        saved = await post_form(
            client,
            PAGE,
            PAGE,
            {"email": email, "name": email[:3], "role": role, "enterprise_ids": plants},
        )
        assert saved.status_code == 303
    await sign_in(Role.PARTICIPANT)  # «Гость»: participants are never listed
    client = await sign_in(Role.ADMIN)
    everyone = text_of(await client.get(PAGE))
    assert "Гость" not in everyone
    assert "host@example.org" in everyone
    assert "org@example.org" in everyone
    assert "ПАО «Ил»" in everyone
    hosts = await client.get(f"{PAGE}?role=host")
    assert "host@example.org" in text_of(hosts)
    assert "org@example.org" not in text_of(hosts)
    assert "Сотрудников с такой ролью нет." not in text_of(hosts)
    host = await session.scalar(select(User).where(User.email == "host@example.org"))
    assert host is not None
    edit = await client.get(f"{PAGE}?edit={host.id}")
    assert 'value="host@example.org"' in edit.text
    assert f'value="{plant.id}" checked' in edit.text
    unknown_role = await client.get(f"{PAGE}?role=boss")
    assert unknown_role.status_code == 200
    assert "org@example.org" in text_of(unknown_role)  # an unknown role filters nothing
