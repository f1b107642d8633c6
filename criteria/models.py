import hashlib
import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cities.currencies import validate_currency
from cities.models import (
    City,
    InstitutionalLocation,
    Network,
    NetworkMembership,
    NetworkRole,
    Office,
    PoliceControl,
    StaffExpertise,
    StaffingModel,
    roles_of,
    validate_not_future_year,
)
from cities.search import Searchable, translated_values

LEVEL_MIN, LEVEL_MAX = 0, 4


class DatePrecision(models.TextChoices):
    """How much of a stored date is known: "January 2024" is stored as 2024-01-01 + month."""

    YEAR = "year", _("Year only")
    MONTH = "month", _("Month and year")
    DAY = "day", _("Exact day")


def source_hash(text: str) -> str:
    """A short fingerprint of an English text, recorded beside each translation of it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


class SeededTextTranslations(models.Model):
    """Translations of text this project wrote into seeded rows (the report's Part 4 charts).

    The text fields themselves hold what the row says, in English for seeded rows and as typed
    for rows users write; they are never given per-language columns, so an editor's change
    always lands in the field everyone reads. `content_translations` maps a language code to
    {field: {"text": ..., "source": source_hash(English text)}}; a translation is shown only
    while its source hash matches the field, so once anyone edits the field (or the seed's
    English changes) readers see the field as it is, never a stale translation.
    """

    content_translations = models.JSONField(
        _("translations of seeded text"), default=dict, blank=True, editable=False,
        help_text=_("Filled from the seed files; never from what users type."),
    )

    class Meta:
        abstract = True

    #: The language the row's own text is in when it has no `language` field.
    written_in = "en"

    def text_language(self):
        return getattr(self, "language", "") or self.written_in

    def translated(self, name, language=None) -> tuple[str, str]:
        """(text of field `name` for a reader of `language`, the language that text is in)."""
        text = getattr(self, name) or ""
        language = (language or get_language() or "en").lower()
        entry = (self.content_translations or {}).get(language, {}).get(name)
        if text and entry and entry.get("source") == source_hash(text):
            return entry["text"], language
        return text, self.text_language()


class Level(models.IntegerChoices):
    NOT_IN_PLACE = 0, _("0 — Not in place")
    EMERGING = 1, _("1 — Emerging")
    DEVELOPING = 2, _("2 — Developing")
    ESTABLISHED = 3, _("3 — Established")
    EXEMPLARY = 4, _("4 — Exemplary")


LEVEL_NAMES = {
    0: _("Not in place"),
    1: _("Emerging"),
    2: _("Developing"),
    3: _("Established"),
    4: _("Exemplary"),
}

level_validators = [MinValueValidator(LEVEL_MIN), MaxValueValidator(LEVEL_MAX)]

# Longest free text accepted, the same on pages, API and database (checked by constraints
# below): one answer may be long, but not so long that one editor can stall every brief.
ANSWER_MAX_CHARS = 20_000
NOTE_MAX_CHARS = 10_000
COMMENT_MAX_CHARS = 5_000
PROFILE_NOTE_MAX_CHARS = 2_000
PROFILE_GOALS_MAX_CHARS = 5_000


def length_at_most(field, limit, name):
    """A CHECK constraint: `field` holds at most `limit` characters."""
    return models.CheckConstraint(
        condition=models.lookups.LessThanOrEqual(Length(field), limit), name=name
    )


# --- The framework -------------------------------------------------------------------------


class FrameworkQuerySet(models.QuerySet):
    def default(self):
        return self.filter(is_default=True).first()


class Framework(models.Model):
    slug = models.SlugField(_("slug"))
    version = models.CharField(_("version"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    source = models.TextField(_("source"), blank=True)
    is_default = models.BooleanField(_("default framework"), default=False)

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        ordering = ["slug", "version"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="unique_framework_version"),
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_framework"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.version})"


class Criterion(models.Model):
    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("framework")
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    slug = models.SlugField(_("slug"))
    name = models.CharField(_("name"), max_length=200)
    chart_label = models.CharField(
        _("chart label"),
        max_length=200,
        blank=True,
        help_text=_("The row label the report's Part 4 charts use."),
    )
    definition = models.TextField(_("definition"))
    why_it_matters = models.TextField(_("why it matters"), blank=True)
    key_takeaways = models.JSONField(_("key takeaways"), default=list, blank=True)
    source_section = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["framework", "number"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "number"], name="unique_criterion_number"
            ),
            models.UniqueConstraint(fields=["framework", "slug"], name="unique_criterion_slug"),
        ]

    def __str__(self):
        return f"{self.number}. {self.name}"

    def get_absolute_url(self):
        return reverse("criteria:criterion-detail", kwargs={"slug": self.slug})


class RubricLevel(models.Model):
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="rubric_levels",
        verbose_name=_("criterion"),
    )
    level = models.PositiveSmallIntegerField(
        _("level"), choices=Level.choices, validators=level_validators
    )
    descriptor = models.TextField(_("descriptor"))

    class Meta:
        ordering = ["criterion", "level"]
        verbose_name = _("rubric level")
        verbose_name_plural = _("rubric levels")
        constraints = [
            models.UniqueConstraint(fields=["criterion", "level"], name="unique_rubric_level"),
            models.CheckConstraint(
                condition=Q(level__gte=LEVEL_MIN, level__lte=LEVEL_MAX),
                name="rubric_level_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.criterion.number}.{self.level} {self.name}"

    @property
    def name(self):
        return LEVEL_NAMES[self.level]


class GuidingQuestion(models.Model):
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="guiding_questions",
        verbose_name=_("criterion"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("question"))

    class Meta:
        ordering = ["criterion", "order"]
        verbose_name = _("guiding question")
        verbose_name_plural = _("guiding questions")
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "order"], name="unique_guiding_question_order"
            ),
        ]

    def __str__(self):
        return self.text


class Tradeoff(models.Model):
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="tradeoffs", verbose_name=_("criterion")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=255)
    summary = models.TextField(_("summary"))
    source_section = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["criterion", "order"]
        verbose_name = _("tradeoff")
        verbose_name_plural = _("tradeoffs")
        constraints = [
            models.UniqueConstraint(fields=["criterion", "title"], name="unique_tradeoff_title"),
        ]

    def __str__(self):
        return self.title


class GoodPractice(Searchable):
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="good_practices",
        verbose_name=_("criterion"),
    )
    city = models.ForeignKey(
        City, on_delete=models.CASCADE, related_name="good_practices", verbose_name=_("city")
    )
    office = models.ForeignKey(
        Office, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="good_practices", verbose_name=_("office"),
    )
    title = models.CharField(_("title"), max_length=255)
    # As long as an answer may be: a practice is often filled in from one.
    summary = models.TextField(_("summary"), max_length=ANSWER_MAX_CHARS)
    source_section = models.CharField(_("source"), max_length=300, blank=True)
    source_url = models.URLField(_("source link"), max_length=500, blank=True)
    assessment = models.ForeignKey(
        "Assessment", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="good_practices", verbose_name=_("from assessment"),
        help_text=_("The reviewed assessment this practice was taken from, if any."),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("added by"),
    )
    added_at = models.DateTimeField(_("added"), null=True, blank=True, auto_now_add=True)

    class Meta:
        ordering = ["criterion", "city__name", "title"]
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "city", "title"], name="unique_good_practice"
            ),
            length_at_most("summary", ANSWER_MAX_CHARS, "practice_summary_length"),
        ]

    def __str__(self):
        return self.title

    def search_document(self):
        codes = [code for code, _name in settings.LANGUAGES]
        return [*translated_values(self, "title", codes),
                *translated_values(self, "summary", codes)]

    def clean(self):
        if self.office_id and self.city_id and self.office.city_id != self.city_id:
            raise ValidationError({"office": _("The office must be in the practice's city.")})


# --- Assessments ---------------------------------------------------------------------------


ROUND_CODE_RE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class RoundQuerySet(models.QuerySet):
    def managed_by(self, user):
        """Rounds of the networks whose secretariat `user` is (superuser: every network)."""
        return self.filter(network__in=Network.objects.managed_by(user).values("pk"))

    def open_on(self, day):
        return self.filter(opens_on__lte=day, closes_on__gte=day, closed_at__isnull=True)

    def open_for(self, office, *, day=None):
        """Rounds open today (or on `day`) to which `office` is invited."""
        return self.open_on(day or timezone.localdate()).filter(invited_offices=office)


class Round(models.Model):
    """An assessment round the network secretariat opens: who is invited, and by when."""

    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("network"))
    name = models.CharField(
        _("name"), max_length=100, help_text=_("As the network calls it, e.g. “2026”."))
    code = models.CharField(
        _("code"), max_length=40,
        validators=[RegexValidator(
            ROUND_CODE_RE,
            _("The code may contain only lowercase letters, digits and single hyphens "
              "between them (e.g. 2026 or 2026-27)."))],
        help_text=_("Used in web addresses and file names: lowercase letters, digits and "
                    "hyphens, e.g. 2026-27."),
    )
    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("framework"))
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"), help_text=_("The deadline for submitting."))
    invited_offices = models.ManyToManyField(
        Office, blank=True, related_name="rounds", verbose_name=_("invited offices"))
    closed_at = models.DateTimeField(
        _("closed"), null=True, blank=True,
        help_text=_("When the secretariat closed the round: no assessment starts in it "
                    "after that, and no more reminders go out."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "-closes_on", "code"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [
            models.UniqueConstraint(fields=["network", "code"],
                                    name="unique_round_code_per_network"),
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")),
                                   name="round_closes_after_it_opens"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            errors["closes_on"] = _("The closing date must be on or after the opening date.")
        if errors:
            raise ValidationError(errors)

    def is_open(self, day=None):
        day = day or timezone.localdate()
        return self.closed_at is None and self.opens_on <= day <= self.closes_on

    def days_left(self, day=None):
        """Days until the closing date: 0 on the day itself, negative once overdue."""
        return (self.closes_on - (day or timezone.localdate())).days


class LevelSource(models.TextChoices):
    """Where an assessment's levels come from: what a comparison must say about each level.

    - self-assessed: the office's own levels, not (yet) published: a draft, submitted or sent
      back for changes; only its members and its network's secretariat see them;
    - published: the office's levels, reviewed and published by the network's secretariat;
    - reading: levels the office never gave: OVP Assess's reading of a published report (the
      report's Part 4 charts), which the assessment's note on levels (`level_note`) explains.
    """

    SELF_ASSESSED = "self_assessed", _("Self-assessed, not yet published")
    PUBLISHED = "published", _("Published by the secretariat after review")
    READING = "reading", _("OVP Assess's reading of a published report")


def level_source_of(*, status, level_note) -> str:
    """The `LevelSource` of an assessment's levels from its status and note on levels."""
    if level_note:
        return LevelSource.READING
    if status == "published":
        return LevelSource.PUBLISHED
    return LevelSource.SELF_ASSESSED


class AssessmentQuerySet(models.QuerySet):
    """Who may see and do what with assessments: the one place that says it (docs/access.md).

    The per-object answer for one user is `criteria.access.access_to`, built on the same
    rules; views fetch through `criteria.access.get_assessment_for_user`.
    """

    def published(self):
        return self.filter(status=Assessment.Status.PUBLISHED)

    def of_level_source(self, sources):
        """Only assessments whose levels come from one of `sources` (LevelSource values);
        the same rule as `level_source_of`, in SQL."""
        reading = ~Q(level_note="")
        wanted = Q(pk__in=[])
        if LevelSource.READING in sources:
            wanted |= reading
        if LevelSource.PUBLISHED in sources:
            wanted |= ~reading & Q(status=Assessment.Status.PUBLISHED)
        if LevelSource.SELF_ASSESSED in sources:
            wanted |= ~reading & ~Q(status=Assessment.Status.PUBLISHED)
        return self.filter(wanted)

    def visible_to(self, user):
        """What `user` may read. Everything else is a 404 to them.

        - everyone: published assessments the office chose to make public;
        - members of an office: all of that office's assessments;
        - researchers: published assessments of cities in their networks;
        - secretariat: every assessment of cities in their networks, drafts included;
        - superuser: everything (the secretariat of every network).
        """
        public = Q(status=Assessment.Status.PUBLISHED, is_public=True)
        if not user.is_authenticated:
            return self.filter(public)
        if user.is_superuser:
            return self.all()
        # The person's roles are read once (`roles_of`); only the rules they hold are asked.
        roles = roles_of(user)
        seen = public
        if roles.offices:
            seen |= Q(office__in=roles.office_ids())
        researched = roles.network_ids(NetworkRole.Role.RESEARCHER)
        if researched:
            seen |= Q(status=Assessment.Status.PUBLISHED, city__in=NetworkMembership.objects
                      .filter(network__in=researched).values("city_id"))
        managed = roles.network_ids(NetworkRole.Role.SECRETARIAT)
        if managed:
            seen |= Q(city__in=NetworkMembership.objects.filter(network__in=managed)
                      .values("city_id"))
        return self.filter(seen)

    def editable_by(self, user):
        """Drafts (and assessments sent back) that `user` may edit as an office editor."""
        return self.filter(
            status__in=Assessment.EDITABLE_STATUSES,
            office__in=Office.objects.editable_by(user).values("pk"),
        )

    def reviewable_by(self, user):
        """Assessments `user` reviews as secretariat of the city's network (any status; the
        review page shows published ones too, but nothing published changes)."""
        return self.filter(city__in=City.objects.managed_by(user).values("pk"))


class AssessmentPartQuerySet(models.QuerySet):
    """Rows that belong to an assessment follow it: `assessment_path` names the way there."""

    assessment_path = "assessment"

    def _in(self, assessments):
        return self.filter(**{f"{self.assessment_path}__in": assessments.values("pk")})

    def visible_to(self, user):
        return self._in(Assessment.objects.visible_to(user))

    def editable_by(self, user):
        return self._in(Assessment.objects.editable_by(user))

    def reviewable_by(self, user):
        return self._in(Assessment.objects.reviewable_by(user))


class ProfilePartQuerySet(AssessmentPartQuerySet):
    assessment_path = "profile__assessment"


class EvidenceQuerySet(AssessmentPartQuerySet):
    assessment_path = "response__assessment"


class ReviewCommentQuerySet(AssessmentPartQuerySet):
    def visible_to(self, user):
        """Review comments are between an office and its secretariat: members of the office
        and the reviewers read them; researchers and the public never do."""
        if not user.is_authenticated:
            return self.none()
        member = Assessment.objects.filter(office__in=roles_of(user).office_ids())
        return self.filter(
            Q(assessment__in=member.values("pk"))
            | Q(assessment__in=Assessment.objects.reviewable_by(user).values("pk"))
        )


class Assessment(SeededTextTranslations):
    class Scope(models.TextChoices):
        OFFICE = "office", _("Office")
        CITY_ECOSYSTEM = "city_ecosystem", _("City prevention ecosystem")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        PUBLISHED = "published", _("Published")

    EDITABLE_STATUSES = (Status.DRAFT, Status.CHANGES_REQUESTED)
    LevelSource = LevelSource

    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="assessments",
        verbose_name=_("framework"),
    )
    scope = models.CharField(
        _("what is assessed"), max_length=20, choices=Scope.choices, default=Scope.OFFICE
    )
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("city")
    )
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, null=True, blank=True, related_name="assessments",
        verbose_name=_("office"),
        help_text=_("Empty when the city's prevention ecosystem as a whole is assessed."),
    )
    subject_label = models.CharField(
        _("subject"), max_length=255, blank=True,
        help_text=_("How to name what is assessed, e.g. for a city ecosystem."),
    )
    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("round"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    is_public = models.BooleanField(
        _("public"), default=False,
        help_text=_("Published assessments shown to everyone, signed in or not."),
    )
    summary = models.TextField(_("summary"), blank=True)
    source = models.TextField(
        _("source"), blank=True, help_text=_("Where the content comes from, if not the office.")
    )
    level_note = models.TextField(
        _("how levels were set"), blank=True,
        help_text=_("e.g. levels read from a published chart, not given by it."),
    )
    is_synthetic = models.BooleanField(_("synthetic (generated test data)"), default=False)
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_to",
        verbose_name=_("copied forward from"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_precision = models.CharField(
        _("publication date known to"), max_length=5, choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("Year or month when only that much of the publication date is known."),
    )

    history = HistoricalRecords(excluded_fields=["content_translations"])
    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-round__opens_on", "-round__closes_on", "city__name"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope="office") & Q(office__isnull=False))
                | (Q(scope="city_ecosystem") & Q(office__isnull=True)),
                name="assessment_scope_matches_office",
            ),
            models.UniqueConstraint(
                fields=["office", "round"],
                condition=Q(office__isnull=False),
                name="one_assessment_per_office_round",
            ),
            models.UniqueConstraint(
                fields=["city", "round"],
                condition=Q(office__isnull=True),
                name="one_ecosystem_assessment_per_city_round",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_assessment_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.subject} — {self.round}"

    def get_absolute_url(self):
        return reverse("criteria:assessment-detail", kwargs={"pk": self.pk})

    @property
    def subject(self):
        if self.subject_label:
            return self.translated("subject_label")[0]
        if self.office_id:
            return self.office.name
        return _("%(city)s prevention ecosystem") % {"city": self.city.name}

    def clean(self):
        errors = {}
        if self.scope == self.Scope.OFFICE and not self.office_id:
            errors["office"] = _("Choose the office this assessment is of.")
        if self.scope == self.Scope.CITY_ECOSYSTEM and self.office_id:
            errors["office"] = _("Leave the office empty when assessing a city's ecosystem.")
        if self.office_id and self.city_id and self.office.city_id != self.city_id:
            errors["city"] = _("The city must be the office's city.")
        if self.round_id and self.framework_id and self.round.framework_id != self.framework_id:
            errors["round"] = _("The round uses another framework than this assessment.")
        if self.status == self.Status.PUBLISHED and not self.published_at:
            errors["published_at"] = _("A published assessment needs its publication date.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_editable(self):
        return self.status in self.EDITABLE_STATUSES

    def get_level_source(self) -> str:
        """Where the levels come from (a `LevelSource` value)."""
        return level_source_of(status=self.status, level_note=self.level_note)

    @property
    def days_left(self):
        """Days until the round closes while this is not yet submitted (negative: overdue);
        None once it has been submitted or published."""
        if self.status not in self.EDITABLE_STATUSES or self.submitted_at is not None:
            return None
        return self.round.days_left()

    @property
    def submitted_late(self):
        return bool(self.submitted_at and
                    timezone.localdate(self.submitted_at) > self.round.closes_on)

    @property
    def is_frozen(self):
        """Published: nothing in it changes any more, through any path."""
        return self.status == self.Status.PUBLISHED

    def progress(self):
        """(response, what it still lacks) for each criterion, in order."""
        return [(r, r.missing()) for r in self.responses.all()]

    def submit_problems(self):
        """Why the assessment cannot be submitted yet; empty when it can."""
        problems = []
        if not self.is_editable:
            problems.append(_("Only a draft or an assessment sent back for changes can be "
                              "submitted."))
        for response, lacks in self.progress():
            if lacks:
                problems.append(
                    _("Criterion %(number)s (%(name)s) still needs %(lacks)s.")
                    % {"number": response.criterion.number, "name": response.criterion.name,
                       "lacks": ", ".join(str(x) for x in lacks)}
                )
        return problems


class OfficeProfile(SeededTextTranslations):
    """Facts about the office (or ecosystem) as of one assessment."""

    class Leadership(models.TextChoices):
        CIVILIAN = "civilian", _("Civilian")
        POLICE = "police", _("Police or security forces")
        UNKNOWN = "unknown", _("Not known")

    class ImpactEvaluation(models.TextChoices):
        DONE = "done", _("Done")
        PLANNED = "planned", _("Planned")
        NONE = "none", _("None")
        UNKNOWN = "unknown", _("Not known")

    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="profile", verbose_name=_("assessment")
    )
    institutional_location = models.CharField(
        _("institutional location"), max_length=32,
        choices=InstitutionalLocation.choices, default=InstitutionalLocation.UNKNOWN,
    )
    police_control = models.CharField(
        _("police controlled by"), max_length=20,
        choices=PoliceControl.choices, default=PoliceControl.UNKNOWN,
    )
    budget_amount = models.DecimalField(
        _("budget amount"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    budget_currency = models.CharField(
        _("budget currency"), max_length=3, blank=True, validators=[validate_currency],
        help_text=_("ISO 4217 code, e.g. USD. Every amount on this profile is in this "
                    "currency."),
    )
    budget_year = models.PositiveSmallIntegerField(
        _("budget fiscal year"), null=True, blank=True,
        validators=[MinValueValidator(1900), validate_not_future_year],
    )
    budget_note = models.TextField(_("budget notes"), blank=True,
                                   max_length=PROFILE_NOTE_MAX_CHARS)
    # Resources against ambition (reports/resources.py): amounts for the same fiscal year
    # and in the same currency as the office's budget, so shares of them are meaningful.
    municipal_budget_amount = models.DecimalField(
        _("municipal budget"), max_digits=16, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("The city government's whole budget for the same fiscal year."),
    )
    police_budget_amount = models.DecimalField(
        _("police budget"), max_digits=16, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("The budget of the police the city controls, for the same fiscal year. "
                    "Leave empty where the police answer to the state or the nation."),
    )
    staff_cost_amount = models.DecimalField(
        _("staffing costs"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("What the office's staff cost in the year (salaries and related costs)."),
    )
    data_evaluation_amount = models.DecimalField(
        _("data and evaluation spending"), max_digits=14, decimal_places=2, null=True,
        blank=True, validators=[MinValueValidator(0)],
        help_text=_("Spent in the year on data, diagnoses and evaluations."),
    )
    staff_fte = models.DecimalField(
        _("full-time staff"), max_digits=7, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    staff_note = models.TextField(_("staff notes"), blank=True,
                                  max_length=PROFILE_NOTE_MAX_CHARS)
    staffing_model = models.CharField(
        _("staffing model"), max_length=12,
        choices=StaffingModel.choices, default=StaffingModel.UNKNOWN,
    )
    staff_expertise = models.CharField(
        _("specialists or generalists"), max_length=12,
        choices=StaffExpertise.choices, default=StaffExpertise.UNKNOWN,
    )
    prevention_primary = models.BooleanField(_("primary prevention"), null=True, blank=True)
    prevention_secondary = models.BooleanField(_("secondary prevention"), null=True, blank=True)
    prevention_tertiary = models.BooleanField(_("tertiary prevention"), null=True, blank=True)
    focus_population = models.TextField(_("focus population"), blank=True,
                                        max_length=PROFILE_NOTE_MAX_CHARS)
    mandate_goals = models.TextField(_("mandate goals"), blank=True,
                                     max_length=PROFILE_GOALS_MAX_CHARS)
    has_baseline = models.BooleanField(_("has a baseline"), null=True, blank=True)
    last_diagnosis_year = models.PositiveSmallIntegerField(
        _("year of the last diagnosis"), null=True, blank=True,
        validators=[MinValueValidator(1900), validate_not_future_year],
    )
    diagnosis_cycle_years = models.PositiveSmallIntegerField(
        _("planned diagnosis cycle (years)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    buy_in_single_champion = models.BooleanField(
        _("political support rests on one champion"), null=True, blank=True
    )
    leadership = models.CharField(
        _("leadership of the office"), max_length=12,
        choices=Leadership.choices, default=Leadership.UNKNOWN,
        help_text=_("Who heads the office: civilians, or police or security forces."),
    )
    formal_strategy = models.BooleanField(
        _("formal, signed violence prevention strategy"), null=True, blank=True,
        help_text=_("A strategy or policy formally adopted (signed decree, ordinance or law)."),
    )
    overlapping_mandates = models.BooleanField(
        _("overlapping mandates between agencies"), null=True, blank=True,
        help_text=_("Other city agencies hold violence prevention mandates that overlap "
                    "with this one."),
    )
    short_term_contracts = models.BooleanField(
        _("staff hired on short-term contracts"), null=True, blank=True,
    )
    short_term_contract_share = models.DecimalField(
        _("share of staff on short-term contracts (%)"), max_digits=5, decimal_places=2,
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    impact_evaluation = models.CharField(
        _("impact evaluation"), max_length=10,
        choices=ImpactEvaluation.choices, default=ImpactEvaluation.UNKNOWN,
        help_text=_("An independent evaluation of impact (with a counterfactual) of a "
                    "program or of the office."),
    )
    last_reach_audit_year = models.PositiveSmallIntegerField(
        _("year of the last audit of reach to marginalized groups"), null=True, blank=True,
        validators=[MinValueValidator(1900), validate_not_future_year],
    )
    next_transition_year = models.PositiveSmallIntegerField(
        _("year of the next election or political transition"), null=True, blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
        help_text=_("As seen at the time of the assessment; it may since have passed."),
    )
    next_transition_month = models.PositiveSmallIntegerField(
        _("month of the next election or political transition"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("1 to 12; leave empty if only the year is known."),
    )
    notes = models.TextField(
        _("notes and sources for these facts"), blank=True, max_length=PROFILE_GOALS_MAX_CHARS,
        help_text=_("Where each fact comes from, and anything a reader should know about it."),
    )
    # Bumped by every save (compare-and-set, as for responses): a form based on an older
    # version is merged with what was saved meanwhile, or shown as a conflict.
    version = models.PositiveIntegerField(_("version"), default=1)

    history = HistoricalRecords(excluded_fields=["content_translations"])
    objects = AssessmentPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("office profile")
        verbose_name_plural = _("office profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_amount__isnull=True) | Q(budget_amount__gte=0),
                name="profile_budget_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(staff_fte__isnull=True) | Q(staff_fte__gte=0),
                name="profile_staff_not_negative",
            ),
            *[models.CheckConstraint(
                condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0}),
                name=f"profile_{name}_not_negative",
            ) for name in ("municipal_budget_amount", "police_budget_amount",
                           "staff_cost_amount", "data_evaluation_amount")],
            models.CheckConstraint(
                condition=Q(short_term_contract_share__isnull=True)
                | Q(short_term_contract_share__gte=0, short_term_contract_share__lte=100),
                name="profile_short_term_share_in_range",
            ),
            models.CheckConstraint(
                condition=Q(next_transition_month__isnull=True)
                | Q(next_transition_month__gte=1, next_transition_month__lte=12,
                    next_transition_year__isnull=False),
                name="profile_transition_month_needs_year",
            ),
            length_at_most("budget_note", PROFILE_NOTE_MAX_CHARS, "profile_budget_note_length"),
            length_at_most("staff_note", PROFILE_NOTE_MAX_CHARS, "profile_staff_note_length"),
            length_at_most("focus_population", PROFILE_NOTE_MAX_CHARS,
                           "profile_focus_population_length"),
            length_at_most("mandate_goals", PROFILE_GOALS_MAX_CHARS,
                           "profile_mandate_goals_length"),
            length_at_most("notes", PROFILE_GOALS_MAX_CHARS, "profile_notes_length"),
        ]

    def __str__(self):
        return _("Profile of %(assessment)s") % {"assessment": self.assessment}

    def resource_amounts(self):
        """(label, amount) of the amounts beside the budget, in `budget_currency`."""
        return [(capfirst(self._meta.get_field(name).verbose_name), getattr(self, name))
                for name in ("municipal_budget_amount", "police_budget_amount",
                             "staff_cost_amount", "data_evaluation_amount")]

    def funding_total(self):
        return sum((s.share_percent or Decimal(0) for s in self.funding_sources.all()), Decimal(0))


class FundingSource(SeededTextTranslations):
    class Kind(models.TextChoices):
        MUNICIPAL = "municipal", _("Municipal budget")
        REGIONAL = "regional", _("Regional or state government")
        NATIONAL = "national", _("National government")
        INTERNATIONAL = "international", _("International donors")
        PRIVATE = "private", _("Private sector")
        VOTER_APPROVED_TAX = "voter_approved_tax", _("Voter-approved tax")
        PHILANTHROPIC = "philanthropic", _("Philanthropy")
        OTHER = "other", _("Other")

    profile = models.ForeignKey(
        OfficeProfile, on_delete=models.CASCADE, related_name="funding_sources",
        verbose_name=_("profile"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    share_percent = models.DecimalField(
        _("share of budget (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Leave empty if not known. All shares together may not exceed 100 %."),
    )
    project_based = models.BooleanField(_("project-based"), default=False)
    legally_protected = models.BooleanField(
        _("protected by law or voter measure"), default=False
    )

    history = HistoricalRecords(excluded_fields=["content_translations"])
    objects = ProfilePartQuerySet.as_manager()

    class Meta:
        ordering = ["profile", "-share_percent", "name"]
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")
        constraints = [
            models.CheckConstraint(
                condition=Q(share_percent__isnull=True)
                | Q(share_percent__gte=0, share_percent__lte=100),
                name="funding_share_in_range",
            ),
            # The sum of shares per profile is enforced by a trigger (migration 0002).
        ]

    def __str__(self):
        return self.name


class CriterionResponse(SeededTextTranslations):
    class Confidence(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="responses",
        verbose_name=_("assessment"),
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="responses", verbose_name=_("criterion")
    )
    level = models.PositiveSmallIntegerField(
        _("level"), choices=Level.choices, null=True, blank=True, validators=level_validators
    )
    level_rationale = models.TextField(_("why this level"), blank=True,
                                       max_length=ANSWER_MAX_CHARS)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    not_applicable_reason = models.TextField(_("why not applicable"), blank=True,
                                             max_length=ANSWER_MAX_CHARS)
    current_strengths = models.TextField(_("current strengths"), blank=True,
                                         max_length=ANSWER_MAX_CHARS)
    opportunities = models.TextField(_("opportunities to enhance effectiveness"), blank=True,
                                     max_length=ANSWER_MAX_CHARS)
    confidence = models.CharField(
        _("confidence"), max_length=6, choices=Confidence.choices, blank=True
    )
    language = models.CharField(
        _("written in"), max_length=10, choices=settings.LANGUAGES, blank=True,
        help_text=_("The language the answer was written in; it is never translated."),
    )
    carried_over = models.BooleanField(
        _("carried over"), default=False,
        help_text=_("Copied from the previous round and not yet confirmed."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("updated by"),
    )

    history = HistoricalRecords(excluded_fields=["content_translations"])
    objects = AssessmentPartQuerySet.as_manager()

    class Meta:
        ordering = ["assessment", "criterion__number"]
        verbose_name = _("criterion response")
        verbose_name_plural = _("criterion responses")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="one_response_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=LEVEL_MIN, level__lte=LEVEL_MAX),
                name="response_level_in_range",
            ),
            models.CheckConstraint(
                condition=Q(not_applicable=False) | (Q(level__isnull=True) & ~Q(
                    not_applicable_reason=""
                )),
                name="not_applicable_has_reason_and_no_level",
            ),
            length_at_most("level_rationale", ANSWER_MAX_CHARS, "response_rationale_length"),
            length_at_most("not_applicable_reason", ANSWER_MAX_CHARS,
                           "response_not_applicable_reason_length"),
            length_at_most("current_strengths", ANSWER_MAX_CHARS, "response_strengths_length"),
            length_at_most("opportunities", ANSWER_MAX_CHARS, "response_opportunities_length"),
        ]

    def __str__(self):
        return f"{self.assessment} — {self.criterion}"

    def clean(self):
        errors = {}
        if self.not_applicable:
            if not self.not_applicable_reason.strip():
                errors["not_applicable_reason"] = _("Say why this criterion does not apply.")
            if self.level is not None:
                errors["level"] = _("Leave the level empty when the criterion does not apply.")
        if errors:
            raise ValidationError(errors)

    def missing(self):
        """What this response still lacks to count as complete, as readable phrases."""
        lacks = [_("confirmation of the carried-over answer")] if self.carried_over else []
        if self.not_applicable:
            return lacks + ([] if self.not_applicable_reason.strip() else [_("a reason")])
        if self.level is None:
            lacks.append(_("a level"))
        if not self.current_strengths.strip():
            lacks.append(_("current strengths"))
        if not self.opportunities.strip():
            lacks.append(_("opportunities"))
        return lacks

    @property
    def is_complete(self):
        return not self.missing()

    @property
    def level_name(self):
        return LEVEL_NAMES.get(self.level, "")


def evidence_upload_to(instance, filename):
    """Stored under a random name; the original name is kept in the row, never on disk."""
    suffix = Path(filename).suffix.lower()
    return f"evidence/{uuid.uuid4().hex}{suffix}"


class Evidence(SeededTextTranslations, Searchable):
    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Document")
        LINK = "link", _("Link")
        DATA = "data", _("Dataset")
        INTERVIEW = "interview", _("Interview")
        NOTE = "note", _("Note")

    class Strength(models.TextChoices):
        SELF_REPORTED = "self_reported", _("Self-reported")
        DOCUMENTED = "documented", _("Documented")
        VERIFIED = "verified", _("Independently verified")

    response = models.ForeignKey(
        CriterionResponse, on_delete=models.CASCADE, related_name="evidence",
        verbose_name=_("response"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to=evidence_upload_to, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("file type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=NOTE_MAX_CHARS)
    date = models.DateField(_("date"), null=True, blank=True)
    date_precision = models.CharField(
        _("date known to"), max_length=5, choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("For a source dated only “January 2024”, choose month: the day is not shown."),
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    strength = models.CharField(
        _("strength"), max_length=14, choices=Strength.choices, default=Strength.SELF_REPORTED
    )
    language = models.CharField(
        _("written in"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("added by"),
    )

    history = HistoricalRecords(excluded_fields=["content_translations", "search_text"])
    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["response", "created_at", "pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            length_at_most("note", NOTE_MAX_CHARS, "evidence_note_length"),
        ]

    def __str__(self):
        return self.title

    def search_document(self):
        """The title as written and as translated for readers (seeded rows)."""
        translations = self.content_translations or {}
        return [self.title, *(entry.get("title", {}).get("text", "")
                              for entry in translations.values() if isinstance(entry, dict))]


class ReviewComment(models.Model):
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="review_comments",
        verbose_name=_("assessment"),
    )
    response = models.ForeignKey(
        CriterionResponse, on_delete=models.CASCADE, null=True, blank=True,
        related_name="review_comments", verbose_name=_("criterion"),
        help_text=_("Empty for a comment on the assessment as a whole."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
        related_name="review_comments", verbose_name=_("author"),
    )
    body = models.TextField(_("comment"), max_length=COMMENT_MAX_CHARS)
    language = models.CharField(
        _("written in"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    resolved = models.BooleanField(_("resolved"), default=False)

    objects = ReviewCommentQuerySet.as_manager()

    class Meta:
        ordering = ["assessment", "created_at"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        constraints = [
            length_at_most("body", COMMENT_MAX_CHARS, "comment_body_length"),
        ]

    def __str__(self):
        return self.body[:60]

    def clean(self):
        if self.response_id and self.response.assessment_id != self.assessment_id:
            raise ValidationError({"response": _("That criterion belongs to another assessment.")})


class SubmissionKeyQuerySet(models.QuerySet):
    def prune(self, *, now=None):
        """Delete keys claimed more than SUBMISSION_KEY_RETENTION_DAYS ago; returns how many.

        A key only has to outlive the resends of its form (a double click, a reload of the
        result, the back button); after that it is just a row per object ever created.
        """
        from datetime import timedelta

        cutoff = (now or timezone.now()) - timedelta(days=settings.SUBMISSION_KEY_RETENTION_DAYS)
        deleted, _by_model = self.filter(created_at__lt=cutoff).delete()
        return deleted


class SubmissionKey(models.Model):
    """An idempotency token: one per rendered form that creates something.

    Claimed in the same transaction as the object it creates, so a double click or a
    resent form finds the key taken and is sent to what the first request made, instead of
    making a second one (or failing on a unique constraint).
    """

    key = models.UUIDField(_("key"), primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("user"),
    )
    target_url = models.CharField(_("result"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SubmissionKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("submission key")
        verbose_name_plural = _("submission keys")

    def __str__(self):
        return str(self.key)


class ReminderSent(models.Model):
    """One deadline reminder to one person about one office's part in one round. The unique
    constraint is the idempotency: a rerun, or two workers at once, never send it twice."""

    class Kind(models.TextChoices):
        DAYS_14 = "14_days", _("14 days before the deadline")
        DAYS_3 = "3_days", _("3 days before the deadline")
        OVERDUE = "overdue", _("Overdue")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="reminders",
                              verbose_name=_("round"))
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="reminders",
                               verbose_name=_("office"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="reminders", verbose_name=_("recipient"))
    kind = models.CharField(_("reminder"), max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["round", "office", "user", "kind"],
                                    name="one_reminder_per_round_office_user_kind"),
        ]

    def __str__(self):
        return f"{self.round} · {self.office} · {self.user} · {self.kind}"


# The improvement plan's models live in their own module; imported here so Django finds them.
from .exchange_models import ExchangeEvent, ExchangeRequest, ExchangeSeen  # noqa: E402, F401
from .plan_models import Action, CriterionTarget  # noqa: E402, F401
from .workbook_models import WorkbookUpload  # noqa: E402, F401 - a model of this app
