"""Guest lists and the security desk's exports: content opened back, ID data masked vs full."""

from __future__ import annotations

import csv
import io

import openpyxl
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import Role
from openindustry.audit.schemas import AuditFilter
from openindustry.audit.service import AuditService
from tests import factories
from tests.checkin.conftest import Book, MakeSlot, MakeStaff

DOCUMENT = {
    "document_type": "passport_rf",
    "number": "4510 123456",
    "full_name": "Иванова Анна Сергеевна",
}


async def test_guest_list_masks_and_exports_carry_full_id_data(
    session: AsyncSession, make_slot: MakeSlot, book: Book, staff: MakeStaff
) -> None:
    enterprise = await factories.enterprise(session, requires_id_document=True)
    slot = await make_slot(enterprise.id)
    await book(slot.id, companions=(("Маша Иванова", "2018-03-01"),), document=DOCUMENT)
    host = await staff(Role.HOST, [enterprise.id])

    listing = (await host.get(f"/api/v1/admin/slots/{slot.id}/guests")).json()
    assert listing["requires_id_document"] is True
    assert listing["total"] == 1
    assert listing["people"] == 2
    item = listing["items"][0]
    assert item["name"] == "Гость"
    assert item["members"] == [
        {"name": "Гость", "age": 40},
        {"name": "Маша Иванова", "age": 12},
    ]
    assert item["id_document"]["full_name"] == DOCUMENT["full_name"]
    assert "123456" not in (await host.get(f"/api/v1/admin/slots/{slot.id}/guests")).text

    response = await host.get(f"/api/v1/admin/slots/{slot.id}/guests.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["№", "Запись", "Участник"]
    assert "Номер документа" in rows[0]
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Участник"] == "Гость"
    assert record["Номер документа"] == DOCUMENT["number"]
    assert record["ФИО по документу"] == DOCUMENT["full_name"]
    assert record["Состав группы (возраст)"] == "Гость (40), Маша Иванова (12)"
    assert record["Статус"] == "подтверждена"

    response = await host.get(f"/api/v1/admin/slots/{slot.id}/guests.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert str(sheet["A1"].value).startswith("Экскурсия по цеху — ")
    assert "11.12.2030 12:00" in str(sheet["A1"].value)
    header = [c.value for c in sheet[3]]
    assert header[:3] == ["№", "Запись", "Участник"]
    values = dict(zip(header, [c.value for c in sheet[4]], strict=True))
    assert values["Участник"] == "Гость"
    assert values["Номер документа"] == DOCUMENT["number"]
    assert values["Человек"] == 2
    assert sheet.column_dimensions["C"].width == 28

    entries = await AuditService(session).entries(AuditFilter(action="guests.exported"))
    assert [e.after["format"] for e in entries.items if e.after] == ["xlsx", "csv"]
    assert all(e.subject_id == slot.id for e in entries.items)
    assert all("4510" not in str(e.after) for e in entries.items)


async def test_without_id_requirement_no_id_columns(
    make_slot: MakeSlot, book: Book, staff: MakeStaff
) -> None:
    slot = await make_slot()
    await book(slot.id)
    organizer = await staff(Role.ORGANIZER)
    raw = (await organizer.get(f"/api/v1/admin/slots/{slot.id}/guests.csv")).content
    header = raw.decode("utf-8-sig").splitlines()[0].split(";")
    assert "Номер документа" not in header
    listing = (await organizer.get(f"/api/v1/admin/slots/{slot.id}/guests")).json()
    assert listing["items"][0]["id_document"] is None
