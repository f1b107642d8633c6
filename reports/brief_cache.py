"""Published office briefs rendered once and served from storage.

A published assessment is frozen, so its brief (PDF or the page's brief) is rendered once per
key and kept through Django's default storage (local disk, or S3 with `DJANGO_S3_BUCKET`).
The key is a hash of everything that decides what the brief shows:

- the assessment and its version (`updated_at`; its answers, evidence and profile cannot
  change once published — `tests/criteria/test_frozen.py`);
- `BriefInputs.generation`, moved by a signal whenever something else the brief shows may
  have changed: office, city, network and its goal or members, outcome figures, the
  framework and its good practices, a round, the office's improvement plan, another
  assessment published or made public (network medians, peers, the previous round);
- what decides which published peers the reader may see (peer examples name only those):
  public for anyone, and the reader's offices and network roles (`reader_view`);
- today's date when the city has an improvement plan (an action is "late" from a date on);
- the language, the paper size (PDF), and the release: a hash of the brief's templates, its
  CSS, the `reports` code, the seeded-content fixtures and the translation catalogs (`.mo`).

Drafts are never stored: they render fresh on every request. Access is decided before any of
this, by `criteria.access.get_assessment_for_user`, for stored and fresh briefs alike.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Subquery
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from cities.models import Indicator, roles_of
from criteria.models import Action, Assessment
from ovp_assess.prepared import PreparedQuery

from . import renderers
from .models import BriefInputs, StoredBrief
from .selectors import brief_queryset, build_office_brief

logger = logging.getLogger(__name__)

try:  # S3 (django-storages) reports a missing object as boto's ClientError, not an OSError
    from botocore.exceptions import ClientError as _StorageMissing
except ImportError:  # pragma: no cover - botocore comes with the S3 option
    _StorageMissing = OSError

#: Bump when the key's recipe changes.
KEY_FORMAT = "1"

#: What a stored published brief shows besides its own frozen assessment: a save or delete
#: of any of these moves the generation in every stored brief's key (signals connected in
#: `reports.apps`). `tests/reports/test_brief_inputs.py` renders the briefs and fails when
#: they read a table that is neither here nor frozen with its published assessment.
BRIEF_INPUT_MODELS = (
    "cities.City", "cities.Office", "cities.Network", "cities.NetworkMembership",
    "cities.ExchangeRate", "cities.Indicator", "cities.CityFigureSeries",
    "cities.IndicatorValue",
    "criteria.Framework", "criteria.Criterion", "criteria.RubricLevel", "criteria.Tradeoff",
    "criteria.GoodPractice", "criteria.Round", "criteria.Action", "criteria.CriterionTarget",
)

# What the release hash covers, relative to BASE_DIR: whatever changes the brief's text,
# layout or data when the code is deployed again.
RELEASE_GLOBS = [
    "templates/reports/**/*.html",
    "templates/cities/partials/goal_note.html",
    "static/reports/brief.css",
    "reports/**/*.py",
    "cities/goals.py",
    "criteria/plans.py",
    "ovp_assess/citations.py",
    "fixtures/*.json",
]


def _hash_files(paths) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def template_version() -> str:
    """Hash of the brief's templates, CSS, code and seeded content (once per process)."""
    base = Path(settings.BASE_DIR)
    return _hash_files({p for pattern in RELEASE_GLOBS for p in base.glob(pattern)
                        if p.is_file() and "migrations" not in p.parts})


@lru_cache(maxsize=1)
def catalog_version() -> str:
    """Hash of our compiled translation catalogs: a translation update is a new key."""
    files = set()
    for folder in settings.LOCALE_PATHS:
        files |= set(Path(folder).glob("*/LC_MESSAGES/*.mo"))
    return _hash_files(files)


def bump_generation(**_kwargs) -> None:
    """Something a published brief may show has changed: every stored key moves on.

    Runs inside the writer's transaction, so a reader that sees the change also sees the new
    generation (it reads the generation before the data it renders)."""
    moved = {"generation": F("generation") + 1, "changed_at": timezone.now()}
    if not BriefInputs.objects.filter(pk=1).update(**moved):
        try:
            with transaction.atomic():
                BriefInputs.objects.create(pk=1, generation=1, changed_at=moved["changed_at"])
        except IntegrityError:  # created by a concurrent writer meanwhile
            BriefInputs.objects.filter(pk=1).update(**moved)


def bump_if_published(sender, instance, **kwargs) -> None:
    """An assessment's own save: only publishing (or a published one's change, such as making
    it public) changes what other briefs show; a draft's autosave does not."""
    if instance.status == Assessment.Status.PUBLISHED:
        bump_generation()


def reader_view(reader) -> str:
    """What decides which published peers `reader` may see (`Assessment.visible_to`): public
    ones for everyone, and those of their offices and of their networks' cities. Which cities
    a network has, and which assessments are published or public, move the generation."""
    if not reader.is_authenticated:
        return "public"
    if reader.is_superuser:
        return "all"
    roles = roles_of(reader)
    return ",".join(sorted([f"office:{pk}" for pk in roles.office_ids()]
                           + [f"{role}:{pk}" for pk, role in roles.networks]))


def _key_inputs(assessment_id, city_id, office_id):
    return Assessment.objects.filter(pk=assessment_id).values_list(
        Subquery(BriefInputs.objects.filter(pk=1).values("generation")[:1]),
        Exists(Action.objects.filter(assessment__city_id=city_id)),
        Exists(Indicator.objects.filter(office_id=office_id, is_public=True)),
    )


#: Asked by every request for a brief: compiled once (ovp_assess/prepared.py).
_KEY_INPUTS = PreparedQuery(_key_inputs)


def brief_key(assessment, *, reader, kind, lang, paper="") -> str | None:
    """The storage key of `assessment`'s brief as `reader` sees it, or None for a draft.
    One query, and one more for a signed-in reader whose roles were not read yet."""
    if assessment.status != Assessment.Status.PUBLISHED:
        return None
    # A city's own assessment (no office) shows no indicators: 0 is no office's id.
    (generation, planned, measured), = _KEY_INPUTS.rows(
        assessment.pk, assessment.city_id, assessment.office_id or 0)
    parts = [
        KEY_FORMAT, kind, lang, paper, str(assessment.pk), assessment.updated_at.isoformat(),
        str(generation or 0), reader_view(reader),
        # An action becomes late, and an indicator overdue, on a date: with either, the day
        # is part of the key.
        timezone.localdate().isoformat() if planned or measured else "",
        template_version(), catalog_version(),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _stored_query(key):
    return StoredBrief.objects.filter(key=key).values_list("pk", "file", "filename", "title")


#: Asked by every request for a published brief: compiled once (ovp_assess/prepared.py).
_STORED = PreparedQuery(_stored_query)


@dataclass
class Stored:
    filename: str
    title: str
    content: bytes


def _stored(key, *, keep=False) -> Stored | None:
    """The stored brief of `key` with its file's bytes, or None. With `keep`, the bytes are
    kept in this process's memory (the `briefs` cache) and read from there next time; the row
    is asked for all the same, so a pruned brief is rendered and stored again."""
    found = _STORED.rows(key)
    if not found:
        return None
    ((pk, name, filename, title),) = found
    kept_pages = caches["briefs"]
    content = kept_pages.get(key) if keep else None
    if content is not None:
        return Stored(filename, title, content)
    try:
        with StoredBrief._meta.get_field("file").storage.open(name, "rb") as handle:
            content = handle.read()
    except (OSError, _StorageMissing):  # the file went missing from storage: render it again
        logger.warning("Stored brief %s has no file %s; rendering again", pk, name)
        StoredBrief.objects.filter(pk=pk).delete()
        return None
    if keep:
        kept_pages.set(key, content)
    return Stored(filename, title, content)


def _store(*, key, assessment, kind, lang, paper, filename, title, content: bytes) -> None:
    """Save the file first, then its row: a reader only ever finds a complete file. When two
    first requests race, both files are saved under unique names and one row wins; the other
    request removes its file."""
    suffix = ".pdf" if kind == StoredBrief.Kind.PDF else ".html"
    stored_as = StoredBrief._meta.get_field("file").storage.save(
        f"briefs/{assessment.pk}/{key}{suffix}", ContentFile(content))
    try:
        with transaction.atomic():
            StoredBrief.objects.create(
                key=key, assessment_id=assessment.pk, kind=kind, language=lang, paper=paper,
                filename=filename, title=title[:300], file=stored_as, size=len(content),
            )
    except IntegrityError:
        StoredBrief._meta.get_field("file").storage.delete(stored_as)


def _build(assessment, *, reader, lang):
    """The brief's data, built in `lang` from a fully prefetched assessment. Peer examples
    come only from the published assessments the reader may see."""
    prefetched = getattr(assessment, "_prefetched_objects_cache", {})
    full = assessment if "responses" in prefetched else brief_queryset().get(pk=assessment.pk)
    with translation.override(lang):
        return build_office_brief(
            full, peers_from=Assessment.objects.visible_to(reader).published())


def office_brief_pdf(assessment, *, reader, lang, paper="a4"):
    """`(filename, content_type, bytes)` of the brief PDF: from storage when published and
    already rendered for this key, else rendered (and stored when published)."""
    paper = renderers.paper_or_default(paper)
    key = brief_key(assessment, reader=reader, kind=StoredBrief.Kind.PDF, lang=lang,
                    paper=paper)
    found = _stored(key) if key else None
    if found:
        return found.filename, renderers.PDF, found.content
    brief = _build(assessment, reader=reader, lang=lang)
    filename, content_type, content = renderers.render_brief_pdf(brief, lang=lang, paper=paper)
    if key:
        _store(key=key, assessment=assessment, kind=StoredBrief.Kind.PDF, lang=lang,
               paper=paper, filename=filename, title=brief.subject, content=content)
    return filename, content_type, content


@dataclass
class BriefPage:
    """The brief as the page shows it: the rendered `reports/brief.html` and its subject."""

    html: str
    subject: str
    stored: bool
    key: str | None = None  # None for a draft, which is never stored


def page_content(page: BriefPage, *, can_publish: bool, render) -> str:
    """The brief page's own part around and with the brief (breadcrumbs, toolbar), from
    `render()`. A published brief's is the same for everyone with the same key who may or may
    not publish it, so it is rendered once per process and kept with the page; a draft's is
    rendered every time."""
    if page.key is None:
        return render()
    kept = caches["briefs"]
    name = f"{page.key}:content:{int(can_publish)}"
    content = kept.get(name)
    if content is None:
        content = render()
        kept.set(name, content)
    return mark_safe(content)  # noqa: S308 - our own template's output, escaped when rendered


def render_page_fragment(brief, *, lang) -> str:
    with translation.override(lang):
        return render_to_string("reports/brief.html", {"brief": brief})


def office_brief_page(assessment, *, reader, lang) -> BriefPage:
    """The page's brief (plotly figures, SVG fallbacks), stored like the PDF."""
    key = brief_key(assessment, reader=reader, kind=StoredBrief.Kind.PAGE, lang=lang)
    found = _stored(key, keep=True) if key else None
    if found:
        # Our own template's output, escaped when it was rendered.
        return BriefPage(mark_safe(found.content.decode()), found.title,  # noqa: S308
                         stored=True, key=key)
    brief = _build(assessment, reader=reader, lang=lang)
    html = render_page_fragment(brief, lang=lang)
    if key:
        _store(key=key, assessment=assessment, kind=StoredBrief.Kind.PAGE, lang=lang, paper="",
               filename=f"brief-{brief.filename_stem}.html", title=brief.subject,
               content=html.encode())
    return BriefPage(html, brief.subject, stored=False, key=key)


def prune_stored(*, now=None) -> int:
    """Delete stored briefs that can no longer be served (made before the last change of the
    brief inputs: their key names an older generation) or are older than
    DJANGO_STORED_BRIEF_RETENTION_DAYS (a day's key, an old release; a current one is
    rendered again on its next request). Files first, then rows; a reader that meanwhile
    found a row whose file is gone renders the brief again (`_stored`). Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.STORED_BRIEF_RETENTION_DAYS)
    changed = BriefInputs.objects.filter(pk=1).values_list("changed_at", flat=True).first()
    if changed is not None:
        cutoff = max(cutoff, changed)
    storage = StoredBrief._meta.get_field("file").storage
    pruned = 0
    for pk, name in StoredBrief.objects.filter(created_at__lt=cutoff).values_list(
            "pk", "file").iterator():
        try:
            storage.delete(name)
        except (OSError, _StorageMissing):  # already gone: the row goes all the same
            logger.warning("Stored brief %s: could not delete %s", pk, name)
        pruned += StoredBrief.objects.filter(pk=pk).delete()[0]
    return pruned
