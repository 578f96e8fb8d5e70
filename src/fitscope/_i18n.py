"""Languages: gettext catalogs for the words, Babel for the numbers, for every sentence the
program prints (the doctor's findings, the command line's labels, the demo's narration).

Each language has one catalog, the gettext domain ``fitscope``: ``locale/<lang>/LC_MESSAGES/
fitscope.mo``, what :mod:`gettext` reads at run time. It is compiled from the GNU gettext
sources beside it: ``fitscope.po`` (the doctor, the command line) and ``demo.po`` (the demo's
narration, long paragraphs best reviewed together; a separate source also keeps
``fitscope.po`` mergeable with the branches that append to it). After editing a ``.po``
file, recompile with ``python -m fitscope._i18n`` (the test suite fails while a ``.mo`` is
stale or a msgid is in two sources). English is the msgid itself, so it needs no catalog.
"""

from __future__ import annotations

import gettext
import math
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from fitscope import _validation as v

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "Pct",
    "compile_catalogs",
    "fixed",
    "fmt",
    "integer",
    "percent",
    "short",
    "translator",
]

DOMAIN = "fitscope"
LANGUAGES = ("en", "ru", "es", "it")
LOCALE_DIR = Path(__file__).with_name("locale")


def N_(text: str) -> str:
    """Mark ``text`` for translation without translating it (gettext's convention)."""
    return text


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
        return integer(value, lang)
    x = float(value)
    if not math.isfinite(x):
        return str(x)  # nan, inf, -inf: the same in every language
    if isinstance(value, Pct):
        return percent(x, lang, (0, 1))
    if x != 0 and (abs(x) >= 1e6 or abs(x) < 1e-3):
        return numbers.format_scientific(x, format="0.###E0", locale=lang)
    digits = max(0, 4 - (math.floor(math.log10(abs(x))) + 1)) if x != 0 else 0
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return numbers.format_decimal(x, format=pattern, locale=lang)


def integer(n: int, lang: str) -> str:
    """``n`` with the language's grouping.

    >>> integer(12000, "en"), integer(12000, "it"), integer(1500, "es")
    ('12,000', '12.000', '1.500')
    """
    from babel import numbers

    return str(numbers.format_decimal(int(n), locale=lang))


def fixed(x: float, lang: str, digits: int = 4) -> str:
    """``x`` with exactly ``digits`` decimals (tables line up), grouped, in ``lang``'s signs.

    >>> fixed(-0.56431, "ru"), fixed(2.5, "en", 2), fixed(1234.5, "it", 1)
    ('-0,5643', '2.50', '1.234,5')
    """
    from babel import numbers

    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(numbers.format_decimal(float(x), format=pattern, locale=lang))


def short(x: float, lang: str, digits: int = 6) -> str:
    """``x`` as typed, without trailing zeros (at most ``digits`` decimals), in ``lang``'s signs.

    >>> short(0.0002, "en"), short(-0.03, "ru"), short(180.0, "es")
    ('0.0002', '-0,03', '180')
    """
    from babel import numbers

    return str(numbers.format_decimal(float(x), format="#,##0." + "#" * digits, locale=lang))


def percent(x: float, lang: str, digits: tuple[int, int] = (1, 1)) -> str:
    """The share ``x`` in the language's own percent pattern ("12,5 %" in Spanish, "12,5%" in
    Italian) with between ``digits[0]`` and ``digits[1]`` decimals.

    >>> percent(1 / 3, "en"), percent(2 / 3, "it"), percent(0.125, "es", (0, 1))
    ('33.3%', '66,7%', '12,5\xa0%')
    """
    from babel import Locale, numbers

    pattern = numbers.parse_pattern(Locale.parse(lang).percent_formats[None].pattern)
    pattern.frac_prec = digits
    return str(pattern.apply(float(x), lang))


class CatalogEntry(NamedTuple):
    msgid: str
    msgstr: str
    fuzzy: bool


def sources(lang: str) -> list[Path]:
    """The ``.po`` files that make ``lang``'s catalog: ``fitscope.po`` first, then the rest."""
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    main = folder / f"{DOMAIN}.po"
    return [main, *sorted(p for p in folder.glob("*.po") if p != main)]


def _read(lang: str) -> Any:
    """``lang``'s catalog: every source's messages in one Babel Catalog (header from the
    first); a msgid in two sources is an error, since one would silently win."""
    from babel.messages.pofile import read_po

    merged: Any = None
    seen: dict[str, Path] = {}
    for po in sources(lang):
        with open(po, "rb") as f:
            catalog = read_po(f, locale=lang)
        if merged is None:
            merged = catalog
        for message in catalog:
            if not message.id:
                continue
            key = str(message.id)
            if key in seen and seen[key] != po:
                raise ValueError(f"{key!r} is in both {seen[key].name} and {po.name} ({lang})")
            seen[key] = po
            if merged is not catalog:
                merged[message.id] = message
    return merged


def read_catalog(lang: str) -> list[CatalogEntry]:
    """The entries of ``lang``'s catalog, from all its ``.po`` sources (header excluded)."""
    return [
        CatalogEntry(str(m.id), str(m.string or ""), m.fuzzy)
        for m in _read(lang)
        if m.id and isinstance(m.id, str)
    ]


def compile_catalogs() -> list[Path]:
    """Compile each language's ``.po`` sources into its ``fitscope.mo``; returns the paths."""
    from babel.messages.mofile import write_mo

    out = []
    for folder in sorted(LOCALE_DIR.glob("*/LC_MESSAGES")):
        mo = folder / f"{DOMAIN}.mo"
        with open(mo, "wb") as f:
            write_mo(f, _read(folder.parent.name))
        out.append(mo)
    translator.cache_clear()
    return out


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    for path in compile_catalogs():
        print(path)
