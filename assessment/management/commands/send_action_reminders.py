from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from assessment.plan.services import reminders_queue


class Command(BaseCommand):
    help = (
        "Queue the reminder e-mails of plan actions due within a week (run daily from cron; "
        "the task worker sends them, each once per due date)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to remind for, YYYY-MM-DD (default: today in TIME_ZONE)")

    def handle(self, *args, **options):
        given = options.get("date")
        try:
            today = date.fromisoformat(given) if given else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date must be YYYY-MM-DD, not {given!r}.") from None
        with transaction.atomic():
            queued = reminders_queue(today)
        self.stdout.write(f"{queued} reminder e-mail(s) queued for {today:%Y-%m-%d}.")
