from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.functional import lazy
from django.utils.translation import get_language, get_language_info, override


def _address_in(code: str, path: str, language: str) -> str:
    with override(language):  # resolved as the page's language has it, whatever is active later
        return translate_url(path, code)


_lazy_address_in = lazy(_address_in, str)


def language_switch(request: HttpRequest) -> dict:
    """This page in every language, for the switcher (translated from this page's language).

    Each address is worked out only if the page shows it: a step page's language buttons
    post the step's form instead, and resolving its address in every language was 3% of
    that page's time.
    """
    path = request.get_full_path()
    language = get_language()
    return {
        "language_switch": [
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "next": _lazy_address_in(code, path, language),
            }
            for code, _name in settings.LANGUAGES
        ]
    }


def login_pause(request: HttpRequest) -> dict:
    """How long a lockout lasts, from the settings (LOGIN_COOLOFF_MINUTES), for every page that says it."""
    return {"login_cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)}
