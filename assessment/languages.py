from django.utils.translation import get_language

CONTENT_LANGUAGES = ("zh-hans", "en")


def current_lang() -> str:
    """The content language matching the active UI language (content exists in zh-hans and en)."""
    return "en" if (get_language() or "").startswith("en") else "zh-hans"
