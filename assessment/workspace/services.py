"""Consultant writes: organisations, client firms, the logo, e-mailing a client's owner link."""

from __future__ import annotations

from io import BytesIO

from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from assessment.models import (
    Assessment,
    Firm,
    Membership,
    Organisation,
)
from assessment.workspace import tasks


def owner_link_email(*, assessment: Assessment, language: str) -> None:
    """E-mail the owner of a consultant's client a new private link, from the task queue.

    The task makes the link when it sends it (owner_link_send), so no raw link sits in the queue.
    """
    transaction.on_commit(lambda: tasks.send_owner_link.enqueue(assessment.pk, language))


def organisation_create(*, user, name: str, kind: str) -> Organisation:
    """A new consultancy or association, with its creator as administrator."""
    with transaction.atomic():
        organisation = Organisation.objects.create(name=name, kind=kind)
        Membership.objects.create(organisation=organisation, user=user, role=Membership.Role.ADMIN)
    return organisation


def firm_create(*, organisation: Organisation, name: str, contact_name: str = "", contact_email: str = "") -> Firm:
    return Firm.objects.create(
        organisation=organisation, name=name, contact_name=contact_name, contact_email=contact_email
    )


class LogoRejected(Exception):
    """The upload is not an image we accept; the message says why, for the user."""


LOGO_MAX_UPLOAD = 2 * 1024 * 1024


LOGO_MAX_PIXELS = 25_000_000  # refuse decompression bombs before decoding


LOGO_BOX = (480, 160)


LOGO_MAX_STORED = 60 * 1024  # the PDF renderer takes inline images up to 64 KB


def organisation_logo_set(*, organisation: Organisation, upload) -> None:
    """Check an uploaded logo, re-encode it small (PNG, or JPEG if that is smaller) and store it.

    Re-encoding drops anything but pixels (metadata, scripts in SVG are not accepted at all).
    """
    if upload.size > LOGO_MAX_UPLOAD:
        raise LogoRejected(_("The logo file is larger than 2 MB."))
    try:
        with Image.open(upload) as probe:
            if probe.format not in ("PNG", "JPEG", "GIF", "WEBP"):
                raise LogoRejected(_("Upload a PNG, JPEG, GIF or WebP image."))
            if probe.width * probe.height > LOGO_MAX_PIXELS:
                raise LogoRejected(_("The image has too many pixels."))
        upload.seek(0)
        with Image.open(upload) as opened:
            opened.load()
            image = opened.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError):
        raise LogoRejected(_("This file is not an image we can read.")) from None
    image.thumbnail(LOGO_BOX)
    png = BytesIO()
    image.save(png, "PNG", optimize=True)
    data, kind = png.getvalue(), "image/png"
    if len(data) > LOGO_MAX_STORED:
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        jpeg = BytesIO()
        flat.save(jpeg, "JPEG", quality=85, optimize=True)
        data, kind = jpeg.getvalue(), "image/jpeg"
    if len(data) > LOGO_MAX_STORED:
        raise LogoRejected(_("The logo is too detailed to print; use a simpler image."))
    Organisation.objects.filter(pk=organisation.pk).update(logo=data, logo_type=kind)
