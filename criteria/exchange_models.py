"""Peer exchange: an office asks a peer that is further along on one criterion to share how.

A request belongs to two offices (the one asking, from one of its assessments, and the
peer) and to the network secretariat(s) of their cities, who plan thematic convenings from
them. Every change of status is an `ExchangeEvent` (who, when, the note), so the history is
never lost; `version` is compared and set on each change, so a stale change is refused
instead of overwriting one made meanwhile. Imported at the end of `criteria.models`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cities.models import City, Office, roles_of

from .models import Assessment, Criterion, length_at_most
from .plan_models import Action

EXCHANGE_TEXT_MAX_CHARS = 2_000


class ExchangeQuerySet(models.QuerySet):
    """Who sees an exchange request (docs/access.md): the members of either office, the
    secretariat of either office's network, superusers. Anyone else: a 404."""

    def _mine(self, user):
        offices = roles_of(user).office_ids()
        return Q(requester_office__in=offices) | Q(peer_office__in=offices)

    def _network(self, user):
        cities = City.objects.managed_by(user).values("pk")
        return Q(requester_office__city__in=cities) | Q(peer_office__city__in=cities)

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(self._mine(user) | self._network(user))

    def inbox_for(self, user):
        """Sent and received by the offices `user` belongs to."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(self._mine(user))

    def of_networks_managed_by(self, user):
        """The secretariat's view: every request touching an office of its networks."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(self._network(user))


class ExchangeRequest(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        HELD = "held", _("Took place")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN_STATUSES = (Status.REQUESTED, Status.ACCEPTED)
    #: Statuses from which the requester may turn the exchange into an action of its plan.
    ACTIONABLE_STATUSES = (Status.ACCEPTED, Status.HELD)

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="exchange_requests",
        verbose_name=_("requesting assessment"),
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion"))
    requester_office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="exchanges_sent",
        verbose_name=_("requesting office"),
    )
    peer_office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="exchanges_received",
        verbose_name=_("peer office"),
    )
    peer_assessment = models.ForeignKey(
        Assessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("peer's assessment"),
        help_text=_("The published assessment that showed the peer further along."),
    )
    peer_level = models.PositiveSmallIntegerField(_("peer's level"), null=True, blank=True)
    message = models.TextField(_("message"), max_length=EXCHANGE_TEXT_MAX_CHARS)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.REQUESTED)
    action = models.ForeignKey(
        Action, on_delete=models.SET_NULL, null=True, blank=True, related_name="exchanges",
        verbose_name=_("action in the plan"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("requested by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("updated by"),
    )

    objects = ExchangeQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("exchange request")
        verbose_name_plural = _("exchange requests")
        constraints = [
            models.CheckConstraint(condition=~Q(peer_office=models.F("requester_office")),
                                   name="exchange_peer_is_another_office"),
            models.CheckConstraint(
                condition=Q(status__in=["requested", "accepted", "declined", "held",
                                        "withdrawn"]),
                name="exchange_status_known"),
            # One open request per office, criterion and peer: asking twice helps no one.
            models.UniqueConstraint(
                fields=["requester_office", "criterion", "peer_office"],
                condition=Q(status__in=["requested", "accepted"]),
                name="one_open_exchange_per_peer"),
            length_at_most("message", EXCHANGE_TEXT_MAX_CHARS, "exchange_message_length"),
        ]

    def __str__(self):
        return _("%(requester)s → %(peer)s, criterion %(number)s") % {
            "requester": self.requester_office, "peer": self.peer_office,
            "number": self.criterion.number}

    def get_absolute_url(self):
        return reverse("criteria:exchange-detail", kwargs={"pk": self.pk})

    @property
    def is_actionable(self):
        return self.status in self.ACTIONABLE_STATUSES


class ExchangeEvent(models.Model):
    """One step of a request's history: made, accepted, declined, took place."""

    exchange = models.ForeignKey(ExchangeRequest, on_delete=models.CASCADE,
                                 related_name="events", verbose_name=_("exchange request"))
    status = models.CharField(_("status"), max_length=10,
                              choices=ExchangeRequest.Status.choices)
    note = models.TextField(_("note"), blank=True, max_length=EXCHANGE_TEXT_MAX_CHARS)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                           blank=True, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("when"), auto_now_add=True)
    notified_at = models.DateTimeField(_("people told"), null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("exchange request change")
        verbose_name_plural = _("exchange request changes")
        constraints = [
            length_at_most("note", EXCHANGE_TEXT_MAX_CHARS, "exchange_note_length"),
        ]

    def __str__(self):
        return f"{self.exchange_id} · {self.status} · {self.at:%Y-%m-%d %H:%M}"


class ExchangeSeen(models.Model):
    """When one person last opened a request: anything changed after by someone else is new
    to them (the inbox's "new" mark)."""

    exchange = models.ForeignKey(ExchangeRequest, on_delete=models.CASCADE,
                                 related_name="seen_by")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["exchange", "user"],
                                               name="one_seen_mark_per_person")]

    def __str__(self):
        return f"{self.exchange_id} · {self.user_id} · {self.seen_at:%Y-%m-%d %H:%M}"
