from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from criteria.models import Assessment
from reports import renderers
from reports.selectors import brief_queryset, build_office_brief


class Command(BaseCommand):
    help = (
        "Render the office brief of one assessment to a file, for the secretariat's scripts. "
        "Runs with the operator's full access: peer examples come from all published assessments."
    )

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int)
        parser.add_argument("--format", choices=["pdf", "html"], default="pdf")
        parser.add_argument("--lang", default=settings.LANGUAGE_CODE,
                            help="Language code, e.g. en, es, pt-br.")
        parser.add_argument("--paper", choices=sorted(renderers.PAPER_SIZES), default="a4")
        parser.add_argument("--output", required=True, help="Where to write the file.")

    def handle(self, *args, assessment_id, format, lang, paper, output, **options):
        codes = {code for code, _name in settings.LANGUAGES}
        if lang not in codes:
            raise CommandError(f"--lang {lang!r} is not one of: {', '.join(sorted(codes))}.")
        assessment = brief_queryset().filter(pk=assessment_id).first()
        if assessment is None:
            raise CommandError(f"No assessment with id {assessment_id}.")
        with translation.override(lang):  # labels and charts in the brief's language
            brief = build_office_brief(assessment, peers_from=Assessment.objects.published())
        if format == "pdf":
            _name, _type, content = renderers.render_brief_pdf(brief, lang=lang, paper=paper)
        else:
            _name, _type, content = renderers.render_brief_html(brief, lang=lang)
        path = Path(output)
        if not path.parent.exists():
            raise CommandError(f"The folder {path.parent} does not exist.")
        path.write_bytes(content)
        self.stdout.write(f"Wrote {path} ({len(content):,} bytes, {format}, {lang}).")
