"""Background tasks, written against django.tasks: the backend (database, RQ) is a setting.

Tasks take primary keys and are enqueued after the transaction that created their rows
commits (services use transaction.on_commit), so a rolled-back job never runs.
"""

from __future__ import annotations

from django.tasks import task

from assessment import services


@task()
def render_bulk_item(item_id: int) -> str:
    """One report of a bulk job."""
    return services.bulk_item_render(item_id=item_id)


@task()
def send_owner_link(assessment_id: int, language: str) -> str:
    """A consultant's client's private link, made and e-mailed here."""
    return services.owner_link_send(assessment_id=assessment_id, language=language)


@task()
def send_invitation(invitation_id: int, reminder: bool) -> str:
    """One invitation or reminder e-mail, with a link made for it."""
    return services.invitation_send(invitation_id=invitation_id, reminder=reminder)


@task()
def send_password_reset(email: str, language: str) -> int:
    """A password-reset e-mail: sent here, so the request's timing says nothing about accounts."""
    return services.password_reset_send(email=email, language=language)
