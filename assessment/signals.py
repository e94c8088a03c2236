"""Storage bookkeeping only (no business logic here): a stored PDF leaves the disk with its row.

Deleting an assessment cascades to its ReportFile rows, in the admin as anywhere else, but
a database cascade never touches files; without this the reports of a deleted firm stay on
disk. The file goes once the deletion is committed, so a rolled-back delete keeps it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from assessment.models import ReportFile


@receiver(post_delete, sender=ReportFile, dispatch_uid="report_file_delete_from_storage")
def report_file_delete_from_storage(sender: type[ReportFile], instance: ReportFile, **kwargs: Any) -> None:
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))
