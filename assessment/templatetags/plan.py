"""Template helpers of the results page's plan forms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def entry(mapping: Mapping[str, Any] | None, key: str) -> Any:
    """`{{ plan_changes|entry:action.key }}`: the value under a key held by a variable, or None."""
    return mapping.get(key) if mapping else None
