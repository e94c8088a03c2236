from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from assessment import languages
from assessment.bulk import services as bulk_services
from assessment.models import Campaign


class Command(BaseCommand):
    help = "Import and score a campaign's answers collected offline (CSV or XLSX from the campaign's template)."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, required=True, help="campaign id (in its page's address)")
        parser.add_argument("--lang", default=languages.EN, choices=languages.CODES, help="language of the messages")
        parser.add_argument(
            "--report-lang",
            default=languages.DEFAULT,
            choices=languages.CODES,
            help="language of the imported firms' reports (members already invited keep their invitation's)",
        )
        parser.add_argument("file", type=Path)

    def handle(self, *args, campaign: int, lang: str, report_lang: str, file: Path, **options):
        found = Campaign.objects.select_related("organisation", "questionnaire").filter(pk=campaign).first()
        if found is None:
            raise CommandError(f"No campaign with id {campaign}.")
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        with translation.override(lang):
            try:
                batch = bulk_services.assessments_import(
                    campaign=found,
                    user=None,
                    filename=file.name,
                    data=data,
                    messages_language=lang,
                    report_language=report_lang,
                )
            except bulk_services.ImportRejected as exc:
                if exc.errors:
                    self.stderr.write(f"{'row':>6}  {'column':<28} {'value':<24} allowed")
                    for e in exc.errors:
                        self.stderr.write(f"{e.row:>6}  {e.column:<28} {e.value[:24]:<24} {e.message}")
                raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Imported and scored {batch.rows} assessments into '{found.name}'."))
