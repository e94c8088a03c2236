"""The product's name, in one place: the web pages, e-mails and PDF titles all use it."""

from django.utils.translation import gettext_lazy

PRODUCT_NAME = gettext_lazy("SME Compass")  # 中文: 中小企业罗盘

# How long the questionnaire takes, said on the home, join and invitation pages and in the invitation e-mail.
ESTIMATED_MINUTES = 20
