"""The language registry in templates: `{% load languages %}`, then `{{ code|html_lang }}`
for lang="…", `{% content_languages as langs %}` to loop over downloads and pickers and
`{% sentence_separator %}` between two sentences."""

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


@register.simple_tag
def sentence_separator() -> str:
    """What goes between two sentences in the page's language (Chinese runs them on)."""
    return languages.get(languages.current_lang()).sentence_separator
