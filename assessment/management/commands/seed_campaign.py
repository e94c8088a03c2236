"""A campaign with generated members, for benchmarks, load tests and trying the bulk features."""

import csv
import io
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from assessment import languages, selectors
from assessment.bulk import services as bulk_services
from assessment.bulk.samples import sample_table
from assessment.campaigns import services as campaigns_services
from assessment.workspace import services as workspace_services


class Command(BaseCommand):
    help = "Create an association campaign with N imported, scored members (generated answers). Prints its id."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=200)
        parser.add_argument("--name", default="Generated campaign")

    def handle(self, *args, rows: int, name: str, **options):
        version = selectors.current_version()
        if version is None:
            raise CommandError("No questionnaire is loaded. Run: python manage.py load_questionnaire")
        user, _ = get_user_model().objects.get_or_create(username="seed-association")
        organisation = workspace_services.organisation_create(user=user, name=f"{name} association", kind="association")
        today = timezone.localdate()
        campaign = campaigns_services.campaign_create(
            organisation=organisation,
            user=user,
            name=name,
            questionnaire=version,
            opens_on=today - timedelta(days=1),
            closes_on=today + timedelta(days=30),
        )
        out = io.StringIO()
        csv.writer(out).writerows(sample_table(selectors.questionnaire_of(version), rows))
        bulk_services.assessments_import(
            campaign=campaign,
            user=user,
            filename="generated.csv",
            data=out.getvalue().encode(),
            messages_language=languages.EN,
            report_language=languages.EN,
        )
        self.stdout.write(str(campaign.pk))
