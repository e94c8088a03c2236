"""Association writes: campaigns, their link, invitations and reminders, a member's way in, consent."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import selectors
from assessment.campaigns import memberlist, tasks
from assessment.links import invitation_url, token_digest
from assessment.models import (
    Assessment,
    Campaign,
    Firm,
    Invitation,
    Organisation,
)
from assessment.services import assessment_create, assessment_new_link, campaign_tallies_refresh

JOIN_WINDOW_SECONDS = 3600


class InvitationInvalid(Exception):
    """Unknown, used or expired invitation, or a closed campaign: all look the same to the visitor."""


class CampaignClosed(Exception):
    pass


def campaign_create(*, organisation: Organisation, user, name: str, questionnaire, opens_on, closes_on) -> Campaign:
    return Campaign.objects.create(
        organisation=organisation,
        name=name,
        questionnaire=questionnaire,
        opens_on=opens_on,
        closes_on=closes_on,
        link_token=secrets.token_urlsafe(16),
        created_by=user,
    )


def campaign_link_set(*, campaign: Campaign, action: str) -> None:
    """Close the campaign's public link, open it again, or replace it (the old one stops working)."""
    if action == "rotate":
        campaign.link_token = secrets.token_urlsafe(16)
        campaign.link_active = True
    else:
        campaign.link_active = action == "open"
    campaign.save(update_fields=["link_token", "link_active"])


def campaign_join_allowed(*, campaign: Campaign, address: str | None) -> bool:
    """Count a join from this address; False once it has started too many this hour.

    The link is public and a fresh cookie resets the per-session count, so the address is
    counted too (hashed; in the shared cache, so every web process sees the same count).
    """
    digest = hashlib.sha256(f"{campaign.pk}:{address}".encode()).hexdigest()[:32]
    key = f"campaign-join:{digest}"
    cache.add(key, 0, timeout=JOIN_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=JOIN_WINDOW_SECONDS)
        count = 1
    return count <= settings.CAMPAIGN_JOINS_PER_ADDRESS


def campaign_is_open(campaign: Campaign, now=None) -> bool:
    today = timezone.localdate(now or timezone.now())
    return campaign.opens_on <= today <= campaign.closes_on


def invitations_add(
    *, campaign: Campaign, members: Iterable[memberlist.Member], notify: bool = True
) -> tuple[dict[str, str], int]:
    """Invite members: a firm of the association and a single-use link each.

    With `notify`, one background task per member makes the link and e-mails it (see
    invitation_send), enqueued after commit: a long list does not hold up the request, and a
    raw link never sits in the task queue. Without it (the demo), the links are made here and
    returned by e-mail address. Addresses already invited are skipped. Returns (links, skipped).
    """
    members = list(members)
    tokens: list[tuple[int, str]] = []
    with transaction.atomic():
        # Lock the campaign, so the same list sent twice at once cannot pass this check twice.
        Campaign.objects.select_for_update().filter(pk=campaign.pk).exists()
        emails = [m.email for m in members]
        existing = set(campaign.invitations.filter(email__in=emails).values_list("email", flat=True))
        fresh = [m for m in members if m.email not in existing]
        for member in fresh:
            firm = Firm.objects.create(
                organisation=campaign.organisation,
                name=member.firm_name,
                contact_name=member.contact_name,
                contact_email=member.email,
            )
            token = secrets.token_urlsafe(32)  # 256 bits
            invitation = Invitation.objects.create(
                campaign=campaign,
                firm=firm,
                email=member.email,
                language=member.language,
                token_digest=token_digest(token),
                expires_at=selectors.campaign_end(campaign),
            )
            tokens.append((invitation.pk, invitation_url(token, member.language)))
        campaign_tallies_refresh(campaign.pk)
        # E-mails go out only once the invitations exist; a rolled-back import sends nothing.
        if notify:
            ids = [pk for pk, _link in tokens]
            transaction.on_commit(lambda: _enqueue_invitations(ids, reminder=False))
            tokens = []
    links = {m.email: link for m, (_pk, link) in zip(fresh, tokens, strict=False)}
    return links, len(members) - len(fresh)


def _enqueue_invitations(ids: list[int], *, reminder: bool) -> None:
    for pk in ids:
        tasks.send_invitation.enqueue(pk, reminder)


def reminders_send(*, campaign: Campaign) -> int:
    """Remind every invited member who has not submitted yet. Returns how many were reminded.

    Only digests of invitation links are stored, so each reminder carries a new link (the
    earlier one stops working). For a started draft the new link leads back to the draft:
    the member's current private link keeps working until they actually use the new one,
    so a reminder never locks out someone who is filling in right now.
    """
    if not campaign_is_open(campaign):
        raise CampaignClosed(_("The campaign is closed: reminders can only be sent while it is open."))
    pending = campaign.invitations.exclude(assessment__status=Assessment.Status.SUBMITTED)
    ids = list(pending.values_list("pk", flat=True))
    # Each task makes the new link when it sends it (invitation_send).
    transaction.on_commit(lambda: _enqueue_invitations(ids, reminder=True))
    return len(ids)


def invitation_find(token: str) -> Invitation | None:
    """The invitation a link stands for while it can be used; looking does not use it up.

    An unused invitation starts an assessment; one whose draft is not submitted yet (the
    link came in a reminder) continues that draft.
    """
    invitation = (
        Invitation.objects.select_related("campaign__organisation", "firm", "assessment")
        .filter(token_digest=token_digest(token), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if invitation is None or not campaign_is_open(invitation.campaign):
        return None
    if invitation.assessment is not None and not invitation.assessment.is_draft:
        return None
    return invitation


def invitation_accept(*, token: str, user, share: bool, language: str) -> tuple[Assessment, str]:
    """Use an invitation (once): start the member's assessment, or continue its draft.

    Only a POST gets here, so a mail scanner fetching the link does not use it up. Returns
    the assessment and a private resume token for this browser.
    """
    with transaction.atomic():
        invitation = invitation_find(token)
        if invitation is None:
            raise InvitationInvalid
        # Two clicks at once: only the first one to lock the row while it is unused gets through.
        locked = Invitation.objects.select_for_update(of=("self",)).filter(pk=invitation.pk, used_at__isnull=True)
        if not locked.exists():
            raise InvitationInvalid
        if invitation.assessment is not None:
            # A reminder's link to a started draft: this browser gets a new private link.
            Invitation.objects.filter(pk=invitation.pk).update(used_at=timezone.now())
            return invitation.assessment, assessment_new_link(assessment=invitation.assessment)
        campaign = invitation.campaign
        assessment, resume = assessment_create(
            version=campaign.questionnaire,
            owner=user,
            language=language,
            firm=invitation.firm,
            campaign=campaign,
            share_with_association=share,
        )
        Invitation.objects.filter(pk=invitation.pk).update(used_at=timezone.now(), assessment=assessment)
        campaign_tallies_refresh(campaign.pk)  # the invited member has started
    return assessment, resume


def campaign_join(*, campaign: Campaign, firm_name: str, user, share: bool, language: str) -> tuple[Assessment, str]:
    """Take part through the campaign's shareable link: the firm joins the association's list."""
    if not campaign_is_open(campaign):
        raise CampaignClosed(_("This campaign is not open."))
    with transaction.atomic():
        firm = Firm.objects.create(organisation=campaign.organisation, name=firm_name)
        return assessment_create(
            version=campaign.questionnaire,
            owner=user,
            language=language,
            firm=firm,
            campaign=campaign,
            share_with_association=share,
        )


def consent_set(*, assessment: Assessment, share: bool) -> None:
    """The member decides whether the association may see its individual results."""
    with transaction.atomic():
        Assessment.objects.filter(pk=assessment.pk, campaign__isnull=False).update(share_with_association=share)
        campaign_tallies_refresh(assessment.campaign_id)  # the mean scores count sharing members only
    assessment.share_with_association = share
