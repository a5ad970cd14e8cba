"""The security desk's files: CSV that Russian Excel opens right, and XLSX.

CSV: UTF-8 with a BOM (without it Excel reads the bytes as Windows-1251 and the Cyrillic turns to
mojibake) and `;` between fields — Excel with Russian regional settings splits on `;` because the
comma is the decimal separator there, so a comma-separated file opens as one column.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, tzinfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from openindustry.checkin.schemas import Guest, GuestList

STATUS_LABELS = {"confirmed": "подтверждена", "offered": "предложены места"}
_PHONE = re.compile(r"^\+?[0-9 ()\-]+$")


def _safe(value: str) -> str:
    # A cell starting with = + - @ is a formula to Excel: a guest's name must never run as one.
    if value and value[0] in "=+-@\t\r" and not _PHONE.fullmatch(value):
        return "'" + value
    return value


def _printable(value: str | int) -> str | int:
    # XLSX cannot hold control characters; a name or title carrying one was a 500 on export.
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _time(value: datetime | None, tz: tzinfo) -> str:
    return f"{value.astimezone(tz):%d.%m.%Y %H:%M}" if value else ""


def _columns(guests: GuestList) -> list[tuple[str, int]]:
    columns = [
        ("№", 5),
        ("Запись", 9),
        ("Участник", 28),
        ("Телефон", 17),
        ("Человек", 9),
        ("Состав группы (возраст)", 48),
        ("Статус", 18),
        ("Отмечен", 17),
    ]
    if guests.requires_id_document:
        columns += [("Документ", 14), ("Номер документа", 18), ("ФИО по документу", 30)]
    return columns


def _row(number: int, guest: Guest, guests: GuestList, tz: tzinfo) -> list[str | int]:
    members = ", ".join(
        f"{m.name} ({m.age})" if m.age is not None else m.name for m in guest.members
    )
    row: list[str | int] = [
        number,
        guest.registration_id,
        _safe(guest.name),
        _safe(guest.phone or ""),
        guest.party_size,
        _safe(members),
        STATUS_LABELS.get(guest.status, guest.status),
        _time(guest.checked_in_at, tz),
    ]
    if guests.requires_id_document:
        document = guest.id_document
        row += (
            [document.document_type, _safe(document.number), _safe(document.full_name)]
            if document
            else ["", "", ""]
        )
    return row


def title(guests: GuestList, tz: tzinfo) -> str:
    starts, ends = guests.starts_at.astimezone(tz), guests.ends_at.astimezone(tz)
    return f"{guests.title} — {guests.enterprise_name}, {starts:%d.%m.%Y %H:%M}–{ends:%H:%M} (МСК)"


def guests_csv(guests: GuestList, tz: tzinfo) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([name for name, _ in _columns(guests)])
    for number, guest in enumerate(guests.items, 1):
        writer.writerow(_row(number, guest, guests, tz))
    return out.getvalue().encode("utf-8-sig")


def guests_xlsx(guests: GuestList, tz: tzinfo) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    sheet = workbook.create_sheet("Гости")
    columns = _columns(guests)
    sheet.cell(row=1, column=1, value=_printable(title(guests, tz))).font = Font(bold=True, size=13)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    sheet.cell(
        row=2, column=1, value=f"Групп: {guests.total}, человек: {guests.people}"
    ).font = Font(italic=True)
    for index, (name, width) in enumerate(columns, 1):
        cell = sheet.cell(row=3, column=index, value=name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(index)].width = width
    for number, guest in enumerate(guests.items, 1):
        for index, value in enumerate(_row(number, guest, guests, tz), 1):
            cell = sheet.cell(row=3 + number, column=index, value=_printable(value))
            # openpyxl would take a leading "=" as a formula; everything here is text or a count.
            if isinstance(value, str):
                cell.data_type = "s"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
