from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessment import languages, selectors
from assessment.models import Assessment
from assessment.reports.builder import build_report
from assessment.reports.pdf import VARIANTS, fast_subsetting_available, render_pdf


class Command(BaseCommand):
    help = "Render the PDF report of a submitted assessment to a file."

    def add_arguments(self, parser):
        parser.add_argument("--assessment", required=True, help="numeric id or public id (uuid)")
        parser.add_argument("--lang", choices=languages.CODES, default=languages.DEFAULT)
        parser.add_argument("--variant", choices=VARIANTS, default="full")
        parser.add_argument("--out", required=True, type=Path, help="PDF file to write")

    def handle(self, *args, assessment, lang, variant, out, **options):
        found = selectors.assessments()
        key = "pk" if assessment.isdigit() else "public_id"
        try:
            obj = found.get(**{key: assessment})
        except (Assessment.DoesNotExist, ValueError):
            raise CommandError(f"No assessment {assessment!r}.") from None
        if obj.is_draft:
            raise CommandError("That assessment is a draft: submit it before rendering its report.")
        if not fast_subsetting_available():
            self.stderr.write("Warning: libharfbuzz-subset is missing; rendering will be very slow.")
        qn = selectors.questionnaire_of(obj.questionnaire)
        data = render_pdf(build_report(obj, qn, lang=lang, **selectors.report_inputs(obj)), variant)
        out.write_bytes(data)
        self.stdout.write(self.style.SUCCESS(f"Wrote {out} ({len(data) / 1024:.0f} KB, {variant}, {lang})"))
