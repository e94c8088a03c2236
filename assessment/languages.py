"""The one language registry: every language the product speaks, and what Python and
templates need to know about it. A third language is one entry here plus its translations
(locale/ and the content files' texts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeIs

from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy


@dataclass(frozen=True)
class Language:
    code: str  # Django's language code, the URL prefix and the content files' text key
    name: str  # in the language itself, as a switcher shows it
    html: str  # the BCP 47 tag for lang="…" (hreflang, <html lang>)
    suffix: str  # in download file names: …-report-zh.pdf
    aliases: tuple[str, ...]  # spellings accepted in member lists and imports, lower case
    label: str | Promise  # its name in the language of the page ("Chinese" / "中文")
    list_separator: str  # between the items of a list written in it (the choices of one answer)
    enumeration_separator: str  # between short names in a row (areas, columns, citations)
    sentence_separator: str  # between two sentences: Chinese runs them on without a space


LANGUAGES = (
    Language(
        code="zh-hans",
        name="简体中文",
        html="zh-Hans",
        suffix="zh",
        aliases=("zh", "zh-cn", "中文", "简体中文", "chinese"),
        label=gettext_lazy("Chinese"),
        list_separator="；",
        enumeration_separator="、",
        sentence_separator="",
    ),
    Language(
        code="en",
        name="English",
        html="en",
        suffix="en",
        aliases=("english", "英文", "英语"),
        label=gettext_lazy("English"),
        list_separator="; ",
        enumeration_separator=", ",
        sentence_separator=" ",
    ),
)
DEFAULT = LANGUAGES[0].code  # the site's language for a visitor who has chosen none
FALLBACK = "en"  # the content text shown where a text lacks the wanted language
CODES = tuple(language.code for language in LANGUAGES)
CONTENT_LANGUAGES = CODES
ZH_HANS, EN = CODES  # for data written in one language (demo firms, tests)
_BY_CODE = {language.code: language for language in LANGUAGES}
_BY_NAME = {name: language.code for language in LANGUAGES for name in (language.code, *language.aliases)}


def get(code: str) -> Language:
    """The registry entry of a language code (KeyError for a code the product does not speak)."""
    return _BY_CODE[code]


def choices() -> list[tuple[str, str]]:
    """(code, name) pairs: Django's LANGUAGES setting and every language drop-down."""
    return [(language.code, language.name) for language in LANGUAGES]


def from_name(text: str) -> str | None:
    """The code a person's spelling of a language stands for ("中文", "English", "zh"…), or None."""
    return _BY_NAME.get(text.strip().lower())


def current_lang() -> str:
    """The content language matching the active UI language."""
    active = (get_language() or "").lower()
    return next((code for code in CODES if active == code or active.startswith(code.split("-")[0])), DEFAULT)


def is_offered(code: str | None) -> TypeIs[str]:
    """Whether `code` is one of the site's languages (what the language buttons post)."""
    return code in CODES


def list_separator(lang: str | None = None) -> str:
    """Between the items of a list written in `lang` (default: the page's language): "；" in Chinese."""
    language = _BY_CODE.get(lang or current_lang())
    return language.list_separator if language else "; "


def enumeration_separator(lang: str | None = None) -> str:
    """Between short names in a row, in `lang` (default: the page's language): "、" in Chinese."""
    language = _BY_CODE.get(lang or current_lang())
    return language.enumeration_separator if language else ", "
