from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessment.content import content_files
from assessment.questionnaire.definition import ContentError
from assessment.services import questionnaire_load


class Command(BaseCommand):
    help = "Validate questionnaire content files and load new versions into the database."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", type=Path, help="content files (default: every shipped version)")

    def handle(self, *args, files, **options):
        for path in files or content_files():
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"{path}: cannot read: {exc}") from None
            try:
                version, created = questionnaire_load(text)
            except ContentError as exc:
                problems = "\n".join(f"  - {p}" for p in exc.problems)
                raise CommandError(f"{path.name} is not valid, nothing was loaded:\n{problems}") from None
            if created:
                self.stdout.write(
                    self.style.SUCCESS(f"Loaded questionnaire version {version.version} from {path.name}")
                )
            else:
                self.stdout.write(f"Questionnaire version {version.version} is already loaded and unchanged")
