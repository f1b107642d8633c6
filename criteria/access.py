"""The access helper: an assessment (or a piece of one) with what the user may do with it.

The rules themselves are the querysets in `criteria.models` and `cities.models`
(`visible_to`, `editable_by`, `reviewable_by`, `managed_by`); this module turns them into
one answer per object, as healthchecks' `_get_check_for_user` does: fetch through the
visible queryset with `select_related` (someone else's object is a 404, never a 403, so ids
reveal nothing), then `PermissionDenied` when the user may see it but not do what they asked.
docs/access.md has the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from cities.access import manages_city
from cities.models import OfficeMembership, forget_kept_roles, roles_of

from .models import Assessment, Evidence

VIEW, EDIT, REVIEW, REVIEW_WRITE, PUBLISH_BRIEF, PLAN = (
    "view", "edit", "review", "review_write", "publish_brief", "plan",
)


@dataclass(frozen=True)
class Access:
    """What one user may do with one assessment they may see."""

    role: str | None = None  # "lead" / "editor" / "viewer" of the assessed office, or None
    is_reviewer: bool = False  # secretariat of the city's network (or superuser)
    frozen: bool = False  # published: nothing in it changes any more
    editable_status: bool = False  # draft or sent back for changes

    can_view: bool = True

    @property
    def is_member(self):
        return self.role is not None

    @property
    def can_edit(self):
        """Change answers, evidence and the profile; submit. Office editors (and leads, who
        are editors too), open drafts."""
        return self.is_editor and self.editable_status

    @property
    def is_editor(self):
        return self.role in OfficeMembership.EDITING_ROLES

    @property
    def can_review(self):
        """Open the review page (published assessments too)."""
        return self.is_reviewer

    @property
    def can_review_write(self):
        """Comment, verify evidence, request changes, publish: never on a frozen assessment."""
        return self.is_reviewer and not self.frozen

    @property
    def can_verify(self):
        return self.can_review_write

    @property
    def can_see_comments(self):
        return (self.is_member or self.is_reviewer) and not self.frozen

    @property
    def can_publish_brief(self):
        """Making a published brief public is the office's own choice (criterion 9): its
        editors decide. `is_public` is the one field that changes after publication."""
        return self.is_editor and self.frozen

    @property
    def can_plan(self):
        """Set targets and manage actions: the office's editors, whatever the status. The
        plan is the office's and lives on after publication; the answers stay frozen."""
        return self.role in OfficeMembership.EDITING_ROLES

    def refusal(self, need, assessment):
        """Why `need` is refused, in words for the user; "" when it is allowed."""
        if need == VIEW:
            return ""
        if need == EDIT and not self.can_edit:
            if self.is_editor:
                return _("This assessment is %(status)s, so it can no longer be edited.") % {
                    "status": assessment.get_status_display().lower()}
            return _("Only the office's editors can change this assessment.")
        if need == REVIEW and not self.can_review:
            return _("Only the network secretariat reviews assessments.")
        if need == REVIEW_WRITE and not self.can_review_write:
            if self.is_reviewer:
                return _("This assessment is published, so it can no longer change.")
            return _("Only the network secretariat reviews assessments.")
        if need == PUBLISH_BRIEF and not self.can_publish_brief:
            return _("Only the office's editors make its published brief public.")
        if need == PLAN and not self.can_plan:
            return _("Only the office's editors change its improvement plan.")
        return ""


def access_to(user, assessment) -> Access:
    """What `user` may do with `assessment` (which they may see): at most one query beyond
    the person's roles (`roles_of`), and none unless they are a network's secretariat."""
    if not user.is_authenticated:
        return Access(frozen=assessment.is_frozen, editable_status=assessment.is_editable)
    roles = roles_of(user)
    role = roles.office_role(assessment.office_id) if assessment.office_id else None
    return Access(role=role, is_reviewer=manages_city(user, assessment.city_id),
                  frozen=assessment.is_frozen, editable_status=assessment.is_editable)


def _user(request_or_user):
    return getattr(request_or_user, "user", request_or_user)


def _mark_private(request_or_user, assessment):
    """Anything but a public, published assessment must never sit in a shared cache."""
    if hasattr(request_or_user, "user") and not (assessment.is_frozen and assessment.is_public):
        request_or_user.ovp_private = True


def get_assessment_for_user(request, pk, *, need=VIEW, queryset=None):
    """(assessment, access): a 404 unless the user may see it; a 403 unless they may `need`.

    `request` may be a request or a user (workflow functions have no request). `queryset`
    adds select_related / prefetch_related for the page; it is always narrowed to what the
    user may see.
    """
    user = _user(request)
    base = queryset if queryset is not None else Assessment.objects.select_related(
        "office", "city", "round", "framework")
    assessment = get_object_or_404(base.visible_to(user), pk=pk)
    access = access_to(user, assessment)
    refusal = access.refusal(need, assessment)
    if refusal:
        raise PermissionDenied(refusal)
    _mark_private(request, assessment)
    return assessment, access


def get_evidence_for_user(request, pk, *, need=VIEW):
    """(evidence, access): evidence follows its assessment (another office's is a 404)."""
    user = _user(request)
    evidence = get_object_or_404(
        Evidence.objects.visible_to(user).select_related(
            "response__criterion", "response__assessment__office", "response__assessment__city"),
        pk=pk,
    )
    assessment = evidence.response.assessment
    access = access_to(user, assessment)
    refusal = access.refusal(need, assessment)
    if refusal:
        raise PermissionDenied(refusal)
    _mark_private(request, assessment)
    return evidence, access


def get_action_for_user(request, pk, *, need=VIEW):
    """(action, access): an action follows its assessment (another office's is a 404)."""
    from .models import Action

    user = _user(request)
    action = get_object_or_404(
        Action.objects.visible_to(user).select_related(
            "criterion", "assessment__office", "assessment__city", "assessment__framework",
            "owner_member", "updated_by"),
        pk=pk,
    )
    assessment = action.assessment
    access = access_to(user, assessment)
    refusal = access.refusal(need, assessment)
    if refusal:
        raise PermissionDenied(refusal)
    _mark_private(request, assessment)
    return action, access


def get_exchange_for_user(request, pk):
    """(exchange request, ExchangeAccess): a 404 unless the user is a member of either
    office or the secretariat of either office's network (`ExchangeRequest.objects
    .visible_to`); what they may do with it is `cities.access.exchange_access`."""
    from cities.access import exchange_access

    from .models import ExchangeRequest

    user = _user(request)
    exchange = get_object_or_404(
        ExchangeRequest.objects.visible_to(user).select_related(
            "criterion", "assessment__round", "requester_office__city", "peer_office__city",
            "peer_assessment__round", "created_by", "updated_by", "action"),
        pk=pk,
    )
    if hasattr(request, "user"):
        request.ovp_private = True
    return exchange, exchange_access(user, requester_office=exchange.requester_office,
                                     peer_office=exchange.peer_office)


def require(user, assessment, need):
    """Raise PermissionDenied unless `user` may `need` on `assessment` (for workflow writes,
    which re-check under their lock what the view checked before). The person's roles are
    read again here, not taken from earlier in the request: a membership removed meanwhile
    refuses the write."""
    forget_kept_roles(user)
    refusal = access_to(user, assessment).refusal(need, assessment)
    if refusal:
        raise PermissionDenied(refusal)


def get_round_for_user(request, pk):
    """A round of a network whose secretariat the user is; anyone else's is a 404."""
    from .models import Round

    rnd = get_object_or_404(
        Round.objects.managed_by(request.user).select_related("network", "framework"), pk=pk)
    request.ovp_private = True
    return rnd
