"""The improvement plan: per-criterion targets and the actions that should reach them.

A plan is the office's, not part of the reviewed answers: it hangs off the assessment it was
made from (`assessment`) but lives on after that assessment is published and frozen, so
nothing here touches a response, its version or its history. Editors of the office manage it
at any time; whoever may see the assessment may read it (the same `visible_to` rule).
Imported at the end of `criteria.models`, so Django finds the models in the app.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length, Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cities.models import Office

from .currencies import validate_currency
from .models import (
    LEVEL_MAX,
    LEVEL_MIN,
    LEVEL_NAMES,
    Assessment,
    Criterion,
    Level,
    length_at_most,
    level_validators,
)

ACTION_TITLE_MAX_CHARS = 200
ACTION_OWNER_MAX_CHARS = 200
ACTION_TEXT_MAX_CHARS = 2_000  # the opportunity answered, partners, how done is shown
COST_MAX_DIGITS = 14


class PlanQuerySet(models.QuerySet):
    """Targets and actions follow their assessment for reading; writing is the office's
    editors', whatever the assessment's status (docs/access.md)."""

    def visible_to(self, user):
        return self.filter(assessment__in=Assessment.objects.visible_to(user).values("pk"))

    def editable_by(self, user):
        return self.filter(assessment__office__in=Office.objects.editable_by(user).values("pk"))


class CriterionTarget(models.Model):
    """The level an office aims for on one criterion, and by when.

    A row of its own rather than fields on CriterionResponse: a response freezes with its
    assessment and its version is the API's ETag, while a target keeps moving after
    publication; keeping them apart leaves the frozen answer and its history untouched.
    """

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="targets",
        verbose_name=_("assessment"),
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    level = models.PositiveSmallIntegerField(
        _("target level"), choices=Level.choices, validators=level_validators
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("updated by"),
    )

    history = HistoricalRecords()
    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["assessment", "criterion__number"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"],
                                    name="one_target_per_criterion"),
            models.CheckConstraint(condition=Q(level__gte=LEVEL_MIN, level__lte=LEVEL_MAX),
                                   name="target_level_in_range"),
        ]

    def __str__(self):
        return f"{self.criterion.number}: {self.level}"

    @property
    def level_name(self):
        return LEVEL_NAMES.get(self.level, "")


class Action(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS)

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="actions",
        verbose_name=_("made from assessment"),
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    title = models.CharField(_("what"), max_length=ACTION_TITLE_MAX_CHARS)
    opportunity = models.TextField(
        _("opportunity it answers"), blank=True, max_length=ACTION_TEXT_MAX_CHARS,
        help_text=_("One of the criterion's opportunities, or your own words."),
    )
    owner = models.CharField(
        _("owner"), max_length=ACTION_OWNER_MAX_CHARS, blank=True,
        help_text=_("A named person or a role, inside or outside the office."),
    )
    owner_member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("owner in this product"),
    )
    partners = models.TextField(_("partners"), blank=True, max_length=ACTION_TEXT_MAX_CHARS)
    start_date = models.DateField(_("start"), null=True, blank=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.PLANNED)
    cost_amount = models.DecimalField(
        _("estimated cost"), max_digits=COST_MAX_DIGITS, decimal_places=2, null=True,
        blank=True, validators=[MinValueValidator(0), MaxValueValidator(10**12 - 1)],
    )
    cost_currency = models.CharField(
        _("currency"), max_length=3, blank=True, validators=[validate_currency],
        help_text=_("ISO 4217 code, e.g. USD, COP, EUR."),
    )
    done_when = models.TextField(
        _("how “done” will be shown"), blank=True, max_length=ACTION_TEXT_MAX_CHARS,
        help_text=_("An indicator or a piece of evidence that will show it is done."),
    )
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_to",
        verbose_name=_("carried over from"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("updated by"),
    )

    history = HistoricalRecords()
    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["assessment", "criterion__number", "due_date", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(due_date__isnull=True)
                | Q(due_date__gte=F("start_date")),
                name="action_due_not_before_start"),
            models.CheckConstraint(
                condition=Q(cost_amount__isnull=True) | (Q(cost_amount__gte=0)
                                                         & ~Q(cost_currency="")),
                name="action_cost_has_currency"),
            # A code: three characters, in capitals (no REGEXP, which plain SQLite lacks).
            models.CheckConstraint(
                condition=Q(cost_currency="") | (
                    models.lookups.Exact(Length("cost_currency"), 3)
                    & models.lookups.Exact(Upper("cost_currency"), F("cost_currency"))),
                name="action_currency_is_a_code"),
            models.CheckConstraint(condition=Q(status__in=["planned", "in_progress", "done",
                                                           "dropped"]),
                                   name="action_status_known"),
            length_at_most("title", ACTION_TITLE_MAX_CHARS, "action_title_length"),
            length_at_most("owner", ACTION_OWNER_MAX_CHARS, "action_owner_length"),
            length_at_most("opportunity", ACTION_TEXT_MAX_CHARS, "action_opportunity_length"),
            length_at_most("partners", ACTION_TEXT_MAX_CHARS, "action_partners_length"),
            length_at_most("done_when", ACTION_TEXT_MAX_CHARS, "action_done_when_length"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("criteria:plan", kwargs={"pk": self.assessment_id}) + f"#action-{self.pk}"

    def clean(self):
        errors = {}
        if self.start_date and self.due_date and self.due_date < self.start_date:
            errors["due_date"] = _("The due date cannot be before the start date.")
        if self.cost_amount is not None and not self.cost_currency:
            errors["cost_currency"] = _("Say which currency the estimated cost is in.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    def is_late(self, today=None):
        """Not done or dropped, and its due date has passed (derived, never stored)."""
        today = today or timezone.localdate()
        return self.is_open and self.due_date is not None and self.due_date < today

    @property
    def late(self):
        return self.is_late()
