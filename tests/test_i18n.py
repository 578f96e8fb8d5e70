"""The catalogs of every sentence the program prints (the doctor's findings and labels, the
demo's narration): complete, placeholder-faithful, compiled, and used."""

from __future__ import annotations

import gettext
import re
import shutil
import string
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo

from fitscope import _i18n as i18n
from fitscope._i18n import Pct, fmt
from fitscope.cli import _demo_text
from fitscope.cli._demo_render import Narrator
from fitscope.doctor import messages
from fitscope.doctor.finding import Draft
from fitscope.doctor.messages import MESSAGES, WORDS

TRANSLATED = [lang for lang in i18n.LANGUAGES if lang != "en"]
#: Words that may read the same as the English: a formula; "test" (the split) in Italian.
UNTRANSLATED = {"p(y=1)", "test"}


def all_msgids() -> list[str]:
    return list(dict.fromkeys(messages.all_msgids() + _demo_text.all_msgids()))


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated_with_the_same_placeholders(lang: str) -> None:
    entries = {e.msgid: e for e in i18n.read_catalog(lang)}
    missing = [m for m in all_msgids() if m not in entries or not entries[m].msgstr]
    assert missing == [], f"{lang} catalog misses {len(missing)} message(s): {missing[:3]}"
    for msgid in all_msgids():
        entry = entries[msgid]
        assert not entry.fuzzy, (lang, msgid)
        assert fields(entry.msgstr) == fields(msgid), (lang, msgid, entry.msgstr)
    stale = set(entries) - set(all_msgids())
    assert stale == set(), f"{lang} catalog has messages the code no longer uses: {stale}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_sentence_is_left_in_english(lang: str) -> None:
    entries = {e.msgid: e.msgstr for e in i18n.read_catalog(lang)}
    same = [m for m in all_msgids() if entries[m] == m and m not in UNTRANSLATED]
    assert same == [], f"{lang}: left in English: {same[:3]}"


def test_the_demo_sentences_are_in_the_catalogs() -> None:
    assert set(_demo_text.all_msgids()) - set(messages.all_msgids())  # the demo has its own
    for lang in TRANSLATED:
        nar = Narrator(lang)
        tr = gettext.translation("fitscope", i18n.LOCALE_DIR, [lang])
        for key, msgid in _demo_text.TEXT.items():
            values = {name: "X" for name in fields(msgid)}
            assert nar.t(key, **values) == tr.gettext(msgid).format(**values)
            if msgid not in UNTRANSLATED:
                assert nar.t(key, **values) != Narrator("en").t(key, **values), (lang, key)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_compiled_catalogs_match_their_sources(lang: str) -> None:
    po = {e.msgid: e.msgstr for e in i18n.read_catalog(lang)}
    with open(i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "fitscope.mo", "rb") as f:
        mo = {m.id: m.string for m in read_mo(f) if m.id}
    assert mo == po, "stale .mo: run python -m fitscope._i18n"


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_renders_in_every_language(key: str, lang: str) -> None:
    code, _, variant = key.partition(".")
    texts = MESSAGES[key]
    params = {name: 0.5 for t in texts for name in fields(t)}
    params["split"] = "val"
    draft = Draft(code, "warning", {}, params, variant)
    finding = draft.render(lang)
    for text in (finding.title, finding.explanation, finding.advice):
        assert "{" not in text and text.strip()
    if lang != "en":
        assert finding.explanation != draft.render("en").explanation
    if "{split}" in texts.explanation:
        word = gettext.translation("fitscope", i18n.LOCALE_DIR, [lang]) if lang != "en" else None
        expected = word.gettext(WORDS["val"]) if word else WORDS["val"]
        assert expected in finding.explanation


@pytest.mark.parametrize(
    ("value", "lang", "text"),
    [
        (0.8717, "en", "0.8717"),
        (0.8717, "ru", "0,8717"),
        (0.8717, "es", "0,8717"),
        (0.8717, "it", "0,8717"),
        (Pct(0.125), "en", "12.5%"),
        (Pct(0.125), "es", "12,5\xa0%"),
        (1234.5, "en", "1,234"),
        (12345, "it", "12.345"),
        (2.5e-5, "en", "2.5E-5"),
        (float("nan"), "ru", "nan"),
    ],
)
def test_numbers_are_written_for_the_language(value: float, lang: str, text: str) -> None:
    assert fmt(value, lang) == text


def test_unknown_language_is_refused_with_the_choices() -> None:
    import fitscope

    with pytest.raises(ValueError, match=r"lang must be one of .*'ru'.*Got 'de'"):
        fitscope.diagnose({"loss": [1.0]}, lang="de")
    assert re.search(r"'en'", str(i18n.LANGUAGES))


def test_a_msgid_in_two_sources_of_one_catalog_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fitscope.po and demo.po compile into one catalog: a msgid in both would silently
    take one of two translations."""
    folder = tmp_path / "ru" / "LC_MESSAGES"
    shutil.copytree(i18n.LOCALE_DIR / "ru" / "LC_MESSAGES", folder)
    with open(folder / "demo.po", "a", encoding="utf-8") as f:
        f.write('\nmsgid "No problems found."\nmsgstr "Другой перевод."\n')
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    with pytest.raises(ValueError, match=r"'No problems found\.' is in both fitscope\.po and demo"):
        i18n.read_catalog("ru")
    assert [p.name for p in i18n.sources("ru")] == ["fitscope.po", "demo.po"]
