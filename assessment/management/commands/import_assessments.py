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
        parser.add_argument(
            "--existing",
            default="ask",
            choices=["ask", "skip", "replace"],
            help="rows for members who have answered already: list them and import nothing (ask), "
            "keep those members' answers (skip) or replace them with the file's (replace)",
        )
        parser.add_argument("file", type=Path)

    def handle(self, *args, campaign: int, lang: str, report_lang: str, existing: str, file: Path, **options):
        found = Campaign.objects.select_related("organisation", "questionnaire").filter(pk=campaign).first()
        if found is None:
            raise CommandError(f"No campaign with id {campaign}.")
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        with translation.override(lang):
            try:
                batch = self._import(found, file.name, data, lang, report_lang, existing)
            except bulk_services.ImportNeedsChoice as exc:
                self.stderr.write(f"{'row':>6}  firm (answered already)")
                for c in exc.conflicts:
                    self.stderr.write(f"{c.row:>6}  {c.firm}")
                raise CommandError(
                    f"{len(exc.conflicts)} rows are members who have answered already; nothing was imported. "
                    "Run again with --existing skip or --existing replace."
                ) from None
            except bulk_services.ImportRejected as exc:
                if exc.errors:
                    self.stderr.write(f"{'row':>6}  {'column':<28} {'value':<24} allowed")
                    for e in exc.errors:
                        self.stderr.write(f"{e.row:>6}  {e.column:<28} {e.value[:24]:<24} {e.message}")
                raise CommandError(str(exc)) from None
        done = f"Imported and scored {batch.rows} assessments into '{found.name}'"
        if batch.replaced or batch.skipped:
            done += f" ({batch.replaced} members' answers replaced, {batch.skipped} rows skipped)"
        self.stdout.write(self.style.SUCCESS(done + "."))

    def _import(self, campaign: Campaign, name: str, data: bytes, lang: str, report_lang: str, existing: str):
        def run(replace_rows):
            return bulk_services.assessments_import(
                campaign=campaign,
                user=None,
                filename=name,
                data=data,
                messages_language=lang,
                report_language=report_lang,
                replace_rows=replace_rows,
            )

        try:
            return run(None)
        except bulk_services.ImportNeedsChoice as exc:
            if existing == "ask":
                raise
            return run([c.row for c in exc.conflicts] if existing == "replace" else [])
