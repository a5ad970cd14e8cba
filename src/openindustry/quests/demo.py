"""Demo quests: the December quiz about Moscow industry, a code word, attendance, feedback and
invites. Every quiz answer is checkable: the program's announcement of the December series (the
seed) or well-known public history."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from openindustry.quests.models import AttendanceScope, TaskKind
from openindustry.quests.schemas import TaskCreate
from openindustry.quests.service import QuestsService

# (question, [(option, right?)], several right?)
QUIZ: list[tuple[str, list[tuple[str, bool]], bool]] = [
    (
        "Какой орбитальный корабль многоразовой системы создало НПО «Молния»?",
        [("«Буран»", True), ("«Союз»", False), ("«Восток»", False), ("«Прогресс»", False)],
        False,
    ),
    (
        "В каком году «Буран» совершил свой единственный космический полёт?",
        [("1961", False), ("1981", False), ("1988", True), ("1995", False)],
        False,
    ),
    (
        "Как прошёл полёт «Бурана»?",
        [
            ("В автоматическом режиме, без экипажа", True),
            ("С экипажем из двух космонавтов", False),
            ("С экипажем из пяти космонавтов", False),
            ("Корабль не вернулся на Землю", False),
        ],
        False,
    ),
    (
        "Какую ракету-носитель тяжёлого класса выпускает Центр имени М. В. Хруничева?",
        [("«Протон»", True), ("«Союз»", False), ("«Зенит»", False), ("«Циклон»", False)],
        False,
    ),
    (
        "Какие предприятия декабрьской серии рассказывают о космической и авиационной отраслях? "
        "Выберите все верные ответы.",
        [
            ("ГКНПЦ имени М. В. Хруничева", True),
            ("ПАО «Ил»", True),
            ("НПО «Молния»", True),
            ("Завод «Эстет»", False),
        ],
        True,
    ),
    (
        "Какой самолёт конструкторского бюро Ильюшина стал самым массовым боевым самолётом "
        "в истории авиации?",
        [("Ил-2", True), ("Ил-18", False), ("Ил-76", False), ("Ил-96", False)],
        False,
    ),
    (
        "Имя какого авиаконструктора носит ПАО «Ил»?",
        [
            ("Сергея Владимировича Ильюшина", True),
            ("Андрея Николаевича Туполева", False),
            ("Олега Константиновича Антонова", False),
            ("Павла Осиповича Сухого", False),
        ],
        False,
    ),
    (
        "Фабрика «Красный Октябрь» выросла из кондитерской фабрики, основанной в XIX веке. "
        "Чьей она была?",
        [("Эйнема", True), ("Абрикосова", False), ("Сиу", False), ("Ландрина", False)],
        False,
    ),
    (
        "В какой холдинг входит фабрика «Красный Октябрь»?",
        [
            ("«Объединённые кондитеры»", True),
            ("«Научные развлечения»", False),
            ("«Эстет»", False),
            ("ПАО «Ил»", False),
        ],
        False,
    ),
    (
        "Сколько экскурсий по столичным предприятиям прошло за пять лет проекта «Открой#Моспром»?",
        [
            ("Более двух тысяч", True),
            ("Около двухсот", False),
            ("Около пятисот", False),
            ("Ровно тысяча", False),
        ],
        False,
    ),
    (
        "В июне 2023 года «Открой#Моспром» победил в номинации «Промышленный маршрут». "
        "Какой премии?",
        [
            ("Народной премии «Маршрут построен»", True),
            ("Премии «Золотой Меркурий»", False),
            ("Премии «Серебряный лучник»", False),
            ("Премии «Хрустальный глобус»", False),
        ],
        False,
    ),
    (
        "На каком предприятии декабрьской серии показывают, как делают ювелирные украшения, "
        "в том числе на 3D-принтере?",
        [
            ("На заводе «Эстет»", True),
            ("В компании «Научные развлечения»", False),
            ("В НПО «Молния»", False),
            ("В ПАО «Ил»", False),
        ],
        False,
    ),
]

CODE_WORD = "Моспром"


def quiz_task(*, opens_at: datetime, closes_at: datetime, series_id: int | None) -> TaskCreate:
    return TaskCreate.model_validate(
        {
            "kind": TaskKind.QUIZ,
            "title": "Декабрьская викторина о промышленности Москвы",
            "description": (
                "12 вопросов о предприятиях столицы и о проекте «Открой#Моспром». "
                "Ответьте верно хотя бы на 10 — и запись на декабрьские экскурсии откроется, "
                "а вы попадёте в розыгрыш призов. Три попытки по 15 минут."
            ),
            "points": 50,
            "opens_at": opens_at,
            "closes_at": closes_at,
            "series_id": series_id,
            "pass_threshold": 10,
            "max_attempts": 3,
            "time_limit_seconds": 15 * 60,
            "questions": [
                {
                    "text": text,
                    "multiple": multiple,
                    "options": [{"text": o, "correct": right} for o, right in options],
                }
                for text, options, multiple in QUIZ
            ],
        }
    )


async def load_quest_demo(
    quests: QuestsService, *, now: datetime, december_series_id: int | None
) -> dict[str, Any]:
    """Create the demo tasks; returns their ids by kind (the quiz gates the December slots)."""
    opens_at = now - timedelta(days=1)
    closes_at = now + timedelta(days=30)
    common: dict[str, Any] = {
        "opens_at": opens_at,
        "closes_at": closes_at,
        "series_id": december_series_id,
    }
    quiz = await quests.create_task(
        quiz_task(opens_at=opens_at, closes_at=closes_at, series_id=december_series_id)
    )
    code_word = await quests.create_task(
        TaskCreate(
            kind=TaskKind.CODE_WORD,
            title="Кодовое слово экскурсии",
            description="Экскурсовод назовёт слово в конце экскурсии или онлайн-трансляции.",
            points=30,
            code_word=CODE_WORD,
            max_attempts=10,
            **common,
        )
    )
    attendance = await quests.create_task(
        TaskCreate(
            kind=TaskKind.ATTENDANCE,
            title="Побывать на экскурсии декабрьской серии",
            description="Засчитывается само, когда вас отметят на входе.",
            points=100,
            attendance_scope=(
                AttendanceScope.SERIES if december_series_id else AttendanceScope.ANY
            ),
            scope_id=december_series_id,
            **common,
        )
    )
    feedback = await quests.create_task(
        TaskCreate(
            kind=TaskKind.FEEDBACK,
            title="Отзыв об экскурсии",
            description="Оцените экскурсию, на которой вы побывали, и расскажите, что запомнилось.",
            points=20,
            **common,
        )
    )
    referral = await quests.create_task(
        TaskCreate(
            kind=TaskKind.REFERRAL,
            title="Пригласить друга",
            description=(
                "Поделитесь своей ссылкой: баллы придут, когда друг выполнит первое задание."
            ),
            points=40,
            **common,
        )
    )
    return {
        "quiz": quiz.id,
        "code_word": code_word.id,
        "attendance": attendance.id,
        "feedback": feedback.id,
        "referral": referral.id,
    }
