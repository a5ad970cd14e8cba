"""Every interface string in the templates has an English translation with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_file

from openindustry.kit import i18n
from openindustry.web.render import TEMPLATES_DIR

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _template_msgids() -> dict[str, str]:
    found: dict[str, str] = {}
    for template in sorted(TEMPLATES_DIR.rglob("*.html")):
        for lineno, message, _comments, _context in extract_from_file(
            "jinja2.ext:babel_extract",
            str(template),
            keywords={"_": None, "gettext": None},
            options={"extensions": "jinja2.ext.i18n"},
        ):
            assert isinstance(message, str), f"{template}:{lineno}: plural forms are not used"
            found.setdefault(message, f"{template.relative_to(TEMPLATES_DIR)}:{lineno}")
    return found


def _english() -> dict[str, str]:
    return {str(m.id): str(m.string) for m in i18n.read_catalog("en") if m.id}


def test_templates_use_translatable_strings() -> None:
    msgids = _template_msgids()
    assert len(msgids) > 50
    assert "Каталог экскурсий" in msgids


def test_every_template_string_has_an_english_translation() -> None:
    english = _english()
    missing = [
        f"{where}: {msgid!r}"
        for msgid, where in _template_msgids().items()
        if not english.get(msgid)
    ]
    assert not missing, "Add these to an English .po file:\n" + "\n".join(missing)


def test_translations_keep_the_placeholders() -> None:
    english = _english()
    wrong = [
        msgid
        for msgid in _template_msgids()
        if msgid in english
        and sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(english[msgid]))
    ]
    assert not wrong, wrong


def test_the_extractor_sees_a_missing_translation(tmp_path: Path) -> None:
    # Guard the guard: a template with an untranslated string must be caught by the extraction.
    template = tmp_path / "probe.html"
    template.write_text(
        '{{ _("Строка без перевода") }} {{ _("Каталог экскурсий") }}', encoding="utf-8"
    )
    found = [m for _l, m, _c, _x in extract_from_file("jinja2.ext:babel_extract", str(template))]
    assert found == ["Строка без перевода", "Каталог экскурсий"]
    assert "Строка без перевода" not in _english()
