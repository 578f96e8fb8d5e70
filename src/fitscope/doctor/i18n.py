"""Moved to :mod:`fitscope._i18n` (the catalogs serve the whole program, not only the doctor);
these names stay importable from here for code written before the move."""

from fitscope._i18n import (
    DOMAIN,
    LANGUAGES,
    LOCALE_DIR,
    Pct,
    check_lang,
    compile_catalogs,
    fmt,
    read_catalog,
    translator,
)

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "Pct",
    "check_lang",
    "compile_catalogs",
    "fmt",
    "read_catalog",
    "translator",
]
