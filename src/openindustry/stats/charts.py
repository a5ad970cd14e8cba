"""Dashboard charts: static SVG from pygal, rendered on the server; no JavaScript needed or sent."""

from __future__ import annotations

import re
from collections.abc import Callable

import pygal
from pygal.graph.graph import Graph
from pygal.style import Style

from openindustry.stats.schemas import Dashboard

# Transparent backgrounds and a mid-grey foreground: readable on a light and on a dark page.
STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#7a7a7a",
    foreground_strong="#7a7a7a",
    foreground_subtle="rgba(122, 122, 122, 0.35)",
    opacity=".9",
    opacity_hover="1",
    colors=("#3b82f6", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6"),
    font_family="system-ui, sans-serif",
)

# pygal writes an inline config <script> even with js=[]; the charts must carry none.
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)


def _config(title: str) -> dict[str, object]:
    return {
        "title": title,
        "style": STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "no_data_text": "Нет данных",
        "legend_at_bottom": True,
        "width": 800,
        "height": 450,
    }


def _render(chart: Graph) -> str:
    svg: str = chart.render(is_unicode=True)
    return _SCRIPT.sub("", svg)


def registrations_chart(dashboard: Dashboard) -> str:
    chart = pygal.Bar(**_config("Заявки и места по дням"), x_label_rotation=30)
    chart.x_labels = [f"{row.day:%d.%m}" for row in dashboard.by_day]
    chart.add("Мест предложено", [row.seats_offered for row in dashboard.by_day])
    chart.add("Заявок всего", [row.registrations for row in dashboard.by_day])
    chart.add("Подтверждено", [row.confirmed for row in dashboard.by_day])
    return _render(chart)


def fill_chart(dashboard: Dashboard) -> str:
    chart = pygal.HorizontalBar(
        **_config("Заполняемость по предприятиям, %"), range=(0, 100), show_legend=False
    )
    rows = [r for r in dashboard.by_enterprise if r.fill_rate is not None]
    chart.x_labels = [r.name for r in rows]
    chart.add("Заполняемость", [round((r.fill_rate or 0) * 100, 1) for r in rows])
    return _render(chart)


def ages_chart(dashboard: Dashboard) -> str:
    chart = pygal.Bar(**_config("Аудитория по возрасту"))
    chart.x_labels = [
        "возраст неизвестен" if r.group == "unknown" else r.group for r in dashboard.ages
    ]
    chart.add("Участники", [r.participants for r in dashboard.ages])
    chart.add("Сопровождающие", [r.companions for r in dashboard.ages])
    return _render(chart)


def lottery_chart(dashboard: Dashboard) -> str:
    chart = pygal.Bar(**_config("Спрос на лотерейные слоты: человек на место"), show_legend=False)
    chart.x_labels = [f"{r.enterprise}, слот {r.slot_id}" for r in dashboard.lottery]
    chart.add("Человек на место", [r.people_per_seat or 0 for r in dashboard.lottery])
    return _render(chart)


CHARTS: dict[str, Callable[[Dashboard], str]] = {
    "registrations": registrations_chart,
    "fill": fill_chart,
    "ages": ages_chart,
    "lottery": lottery_chart,
}
