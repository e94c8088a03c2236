import json

from django.core.management.base import BaseCommand, CommandError

from assessment import selectors
from assessment.models import QuestionnaireVersion
from assessment.questionnaire.export import questionnaire_data


class Command(BaseCommand):
    help = "Print the whole questionnaire content (questions, options, points, sources, recommendations)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json"], default="json")
        parser.add_argument(
            "--questionnaire-version", dest="qversion", help="a loaded version (default: the current one)"
        )

    def handle(self, *args, qversion=None, **options):
        versions = QuestionnaireVersion.objects.defer("definition")
        version = versions.filter(version=qversion).first() if qversion else selectors.current_version()
        if version is None:
            raise CommandError(
                f"Questionnaire version {qversion} is not loaded."
                if qversion
                else "No questionnaire is loaded. Run: python manage.py load_questionnaire"
            )
        data = questionnaire_data(selectors.questionnaire_of(version))
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
