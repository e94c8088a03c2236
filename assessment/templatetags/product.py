"""{% product_name %}: the product's name in the active language (templates with or without a request)."""

from django import template

from assessment.product import PRODUCT_NAME

register = template.Library()


@register.simple_tag
def product_name() -> str:
    return str(PRODUCT_NAME)
