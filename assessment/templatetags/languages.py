"""The language registry in templates: `{% load languages %}`, then `{{ code|html_lang }}`
for lang="…" and `{% content_languages as langs %}` to loop over downloads and pickers."""

from django import template

from assessment import languages

register = template.Library()


@register.filter
def html_lang(code: str) -> str:
    """The BCP 47 tag of a language code ("zh-hans" → "zh-Hans"); other values pass through."""
    return languages.get(code).html if code in languages.CODES else code


@register.simple_tag
def content_languages() -> tuple[languages.Language, ...]:
    return languages.LANGUAGES
