"""Punctuation between the items of a list, in the active language: "；" and "、" in Chinese."""

from collections.abc import Iterable

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from assessment import languages

register = template.Library()


@register.filter(needs_autoescape=True)
def list_join(items: Iterable, kind: str = ";", autoescape: bool = True) -> SafeString:
    """`{{ titles|list_join }}` joins with "; " (zh "；"), `{{ areas|list_join:"," }}` with ", " (zh "、")."""
    separator = languages.enumeration_separator() if kind == "," else languages.list_separator()
    escape = conditional_escape if autoescape else str
    return mark_safe(escape(separator).join(escape(item) for item in items))  # noqa: S308 - each part escaped


@register.simple_tag
def enumeration_separator() -> str:
    """`{% enumeration_separator %}` between items a template loops over itself: ", " (zh "、")."""
    return languages.enumeration_separator()


@register.simple_tag
def list_separator() -> str:
    """`{% list_separator %}` between items a template loops over itself: "; " (zh "；")."""
    return languages.list_separator()
