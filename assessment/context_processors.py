from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language_info


def language_switch(request: HttpRequest) -> dict:
    """This page in every language, for the switcher (translated now, while its language is active)."""
    path = request.get_full_path()
    return {
        "language_switch": [
            {"code": code, "name": get_language_info(code)["name_local"], "next": translate_url(path, code)}
            for code, _name in settings.LANGUAGES
        ]
    }


def login_pause(request: HttpRequest) -> dict:
    """How long a lockout lasts, from the settings (LOGIN_COOLOFF_MINUTES), for every page that says it."""
    return {"login_cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)}
