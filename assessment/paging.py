"""How a page number from a query string becomes a page: the one rule every paged table shares."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator


def nearest_page(paginator: Paginator, number: Any) -> Page:
    """The page asked for, or the nearest one: the first for a number below 1 or not a number,
    the last past the end (Paginator.get_page gives the last for 0 and below as well)."""
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        wanted = 1
    return paginator.get_page(max(wanted, 1))
