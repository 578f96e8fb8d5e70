"""Languages: gettext catalogs for the words, Babel for the numbers.

Catalogs are GNU gettext files under ``locale/<lang>/LC_MESSAGES/fitscope.po``, shipped with
their compiled ``.mo`` (what :mod:`gettext` reads at run time). After editing a ``.po`` file,
recompile with ``python -m fitscope.doctor.i18n`` (the test suite fails while a ``.mo`` is
stale). English is the msgid itself, so it needs no catalog.
"""

from __future__ import annotations

import gettext
import math
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from fitscope import _validation as v

__all__ = ["DOMAIN", "LANGUAGES", "LOCALE_DIR", "Pct", "compile_catalogs", "fmt", "translator"]

DOMAIN = "fitscope"
LANGUAGES = ("en", "ru", "es", "it")
LOCALE_DIR = Path(__file__).with_name("locale")


def check_lang(lang: Any) -> str:
    v.check_choice(lang, "lang", LANGUAGES)
    return str(lang)


@cache
def translator(lang: str) -> gettext.NullTranslations:
    """The catalog of ``lang`` (``en``: the msgids themselves)."""
    check_lang(lang)
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang])


class Pct(float):
    """A share in [0, 1] that is written as a percentage."""


def fmt(value: Any, lang: str) -> str:
    """``value`` written for ``lang``: ints with grouping, floats with up to 4 significant
    digits and the language's decimal sign, :class:`Pct` as a percentage; strings as they are.

    >>> fmt(0.8717, "ru"), fmt(0.8717, "en"), fmt(Pct(0.125), "it"), fmt(12000, "it")
    ('0,8717', '0.8717', '12,5%', '12.000')
    """
    from babel import numbers  # lazy: babel is only needed when a sentence is written

    if isinstance(value, (bool, str)):
        return str(value)
    if isinstance(value, int):
        return numbers.format_decimal(value, locale=lang)
    x = float(value)
    if not math.isfinite(x):
        return str(x)  # nan, inf, -inf: the same in every language
    if isinstance(value, Pct):
        # The language's own percent pattern ("12,5 %" in Spanish, "12,5%" in Italian) with
        # up to one decimal.
        from babel import Locale

        percent = numbers.parse_pattern(Locale.parse(lang).percent_formats[None].pattern)
        percent.frac_prec = (0, 1)
        return str(percent.apply(x, lang))
    if x != 0 and (abs(x) >= 1e6 or abs(x) < 1e-3):
        return numbers.format_scientific(x, format="0.###E0", locale=lang)
    digits = max(0, 4 - (math.floor(math.log10(abs(x))) + 1)) if x != 0 else 0
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return numbers.format_decimal(x, format=pattern, locale=lang)


class CatalogEntry(NamedTuple):
    msgid: str
    msgstr: str
    fuzzy: bool


def read_catalog(lang: str) -> list[CatalogEntry]:
    """The entries of ``lang``'s ``.po`` file (header excluded)."""
    from babel.messages.pofile import read_po

    with open(LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po", "rb") as f:
        catalog = read_po(f, locale=lang)
    return [
        CatalogEntry(str(m.id), str(m.string or ""), m.fuzzy)
        for m in catalog
        if m.id and isinstance(m.id, str)
    ]


def compile_catalogs() -> list[Path]:
    """Compile every ``.po`` under :data:`LOCALE_DIR` to its ``.mo``; returns the ``.mo`` paths."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    out = []
    for po in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        with open(po, "rb") as f:
            catalog = read_po(f, locale=po.parents[1].name)
        mo = po.with_suffix(".mo")
        with open(mo, "wb") as f:
            write_mo(f, catalog)
        out.append(mo)
    translator.cache_clear()
    return out


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    for path in compile_catalogs():
        print(path)
