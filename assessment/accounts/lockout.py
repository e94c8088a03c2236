"""Which failed logins lock what (django-axes' AXES_LOCKOUT_PARAMETERS callable).

Failures from one address for one username lock that pair only: someone who knows a user's
name can pause logins from their own address, not the user's. An address is locked on its
own only once it has failed for many different usernames within the cool-off (someone
trying accounts one after another); then every login from it pauses.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt, AccessBase
from django.conf import settings
from django.http import HttpRequest

PAIR = ["username", "ip_address"]


def usernames_tried_from(request: HttpRequest) -> int:
    """How many different usernames failed from this request's address within the cool-off."""
    address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    return (
        AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=get_cool_off_threshold(request))
        .values("username")
        .distinct()
        .count()
    )


def lockout_parameters(request_or_attempt: HttpRequest | AccessBase, credentials: dict | None = None) -> list:
    """The (username, address) pair always; the address alone once it tried many usernames."""
    if isinstance(request_or_attempt, AccessBase):  # axes building cache keys for a stored attempt
        return [PAIR]
    if usernames_tried_from(request_or_attempt) >= settings.LOGIN_ADDRESS_USERNAME_LIMIT:
        return [PAIR, "ip_address"]
    return [PAIR]
