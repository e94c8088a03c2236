"""{% product_name %}: the product's name in the active language (templates with or without a request).
{% estimated_minutes as minutes %}: how long the questionnaire takes, for a blocktranslate."""

from django import template

from assessment import product

register = template.Library()


@register.simple_tag
def product_name() -> str:
    return str(product.PRODUCT_NAME)


@register.simple_tag
def estimated_minutes() -> int:
    return product.ESTIMATED_MINUTES
