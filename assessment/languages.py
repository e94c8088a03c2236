from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import translate_url
from django.utils.translation import get_language

CONTENT_LANGUAGES = ("zh-hans", "en")


def current_lang() -> str:
    """The content language matching the active UI language (content exists in zh-hans and en)."""
    return "en" if (get_language() or "").startswith("en") else "zh-hans"


def list_separator(lang: str) -> str:
    """Between the items of a list written in `lang` (several choices of one answer)."""
    return "；" if lang == "zh-hans" else "; "


def is_offered(code: str | None) -> bool:
    """Whether `code` is one of the site's languages (what the language buttons post)."""
    return code in dict(settings.LANGUAGES)


def switched_to(code: str, path: str) -> HttpResponseRedirect:
    """`path` in language `code`, with the choice kept in the language cookie: what django's
    set_language answers, for a page that saves its own form before switching (the wizard)."""
    response = HttpResponseRedirect(translate_url(path, code))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
