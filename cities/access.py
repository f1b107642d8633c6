"""Office- and city-level access: the office with what the user may do with it.

Offices and cities are a public directory, so fetching one is never refused; what is
refused is acting on it (starting an assessment, managing its members, entering figures).
The rules are the querysets in `cities.models`; docs/access.md has the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from .models import (
    City,
    Indicator,
    NetworkRole,
    Office,
    OfficeMembership,
    Transition,
    roles_of,
)

START, MANAGE, INDICATORS, TRANSITIONS = "start", "manage", "indicators", "transitions"
Role = OfficeMembership.Role


@dataclass(frozen=True)
class OfficeAccess:
    role: str | None = None
    is_manager: bool = False  # secretariat of the office's city's network (or superuser)

    @property
    def is_lead(self):
        return self.role == Role.LEAD

    @property
    def can_start(self):
        """Start (or copy forward) an assessment: the office's editors and leads."""
        return self.role in OfficeMembership.EDITING_ROLES

    @property
    def can_edit_indicators(self):
        """Add and change the office's indicators and their values: its editors and leads."""
        return self.role in OfficeMembership.EDITING_ROLES

    @property
    def can_record_transitions(self):
        """Record and remove the office's next elections: its editors and leads."""
        return self.role in OfficeMembership.EDITING_ROLES

    @property
    def sees_all_indicators(self):
        """Members and the network secretariat see private indicators too; the rest only
        the public ones (the same rule as `Indicator.objects.visible_to`)."""
        return self.role is not None or self.is_manager

    @property
    def can_manage_members(self):
        """The members page: the network secretariat, and the office's own leads."""
        return self.is_manager or self.is_lead

    def grantable_roles(self):
        """Roles this user may give on this office. A lead may name another lead (so the
        office can hand over without the secretariat); nobody grants beyond the office."""
        return [Role.LEAD, Role.EDITOR, Role.VIEWER] if self.can_manage_members else []

    def change_refusal(self, membership, new_role=None, *, leads=None):
        """Why changing `membership` to `new_role` (None: removing it) is refused; "" when
        allowed. A lead may not leave their office without a lead (removing or demoting the
        last one, themselves included); the secretariat may, as the office's last resort.
        `leads` is the office's number of leads (counted under the caller's lock)."""
        if not self.can_manage_members:
            return _("Only the office's leads and the network secretariat manage its members.")
        if new_role is not None and new_role not in self.grantable_roles():
            return _("That role cannot be given here.")
        losing_lead = membership.role == Role.LEAD and new_role != Role.LEAD
        if losing_lead and not self.is_manager and (leads if leads is not None else
                                                    _lead_count(membership.office_id)) <= 1:
            return _("An office keeps at least one lead: name another lead first, or ask "
                     "the network secretariat.")
        return ""


def _lead_count(office_id):
    return OfficeMembership.objects.filter(office_id=office_id, role=Role.LEAD).count()


def office_access(user, office) -> OfficeAccess:
    if not user.is_authenticated:
        return OfficeAccess()
    return OfficeAccess(role=roles_of(user).office_role(office.pk),
                        is_manager=manages_city(user, office.city_id))


def manages_city(user, city_id) -> bool:
    """Is `user` the secretariat of a network the city is in (or a superuser)? Asked on
    nearly every request, so anyone who is no secretariat is answered from their roles,
    without building the queryset (which alone costs a third of a millisecond)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or (
        bool(roles_of(user).network_ids(NetworkRole.Role.SECRETARIAT))
        and City.objects.managed_by(user).filter(pk=city_id).exists())


def get_office_for_user(request, slug, *, need):
    """(office, access); a 403 unless the user may `need` (start / manage)."""
    office = get_object_or_404(Office.objects.select_related("city"), slug=slug)
    access = office_access(request.user, office)
    if need == START and not access.can_start:
        raise PermissionDenied(_("Only the office's editors can start an assessment."))
    if need == MANAGE and not access.can_manage_members:
        raise PermissionDenied(
            _("Only the office's leads and the network secretariat manage its members."))
    if need == INDICATORS and not access.can_edit_indicators:
        raise PermissionDenied(_("Only the office's editors change its indicators."))
    if need == TRANSITIONS and not access.can_record_transitions:
        raise PermissionDenied(
            _("Only the office's editors record its elections and changes of administration."))
    request.ovp_private = True
    return office, access


def get_indicator_for_user(request, pk, *, edit=False):
    """(indicator, OfficeAccess): a 404 unless the user may see it (another office's private
    indicator reveals nothing); a 403 when `edit` and the user is not one of its editors."""
    indicator = get_object_or_404(
        Indicator.objects.visible_to(request.user).select_related("office__city"), pk=pk)
    access = office_access(request.user, indicator.office)
    if edit and not access.can_edit_indicators:
        raise PermissionDenied(_("Only the office's editors change its indicators."))
    if access.sees_all_indicators:
        request.ovp_private = True
    return indicator, access


def get_transition_for_user(request, pk):
    """(transition, OfficeAccess) for removing it: an office's transitions are public like
    the office, so an unknown id is the only 404; a 403 unless the user is its editor."""
    transition = get_object_or_404(Transition.objects.select_related("office__city"), pk=pk)
    access = office_access(request.user, transition.office)
    if not access.can_record_transitions:
        raise PermissionDenied(
            _("Only the office's editors record its elections and changes of administration."))
    request.ovp_private = True
    return transition, access


def is_secretariat(user) -> bool:
    """Secretariat of at least one network (or superuser): review queue, exports, library
    additions, outcome figures."""
    return user.is_authenticated and (
        user.is_superuser or bool(roles_of(user).network_ids(NetworkRole.Role.SECRETARIAT)))


def may_maintain_exchange_rates(user) -> bool:
    """The exchange rates comparisons convert with are kept by the network secretariat (any
    network's: the table is shared, like the framework) and superusers."""
    return is_secretariat(user)


@dataclass(frozen=True)
class Navigation:
    """Which role-bound entries the site's navigation shows to one user."""

    reports: bool = False
    members_url: str = ""
    is_secretariat: bool = False  # the review queue
    has_offices: bool = False  # My assessments
    exchanges: bool = False  # the exchange inbox (editors and leads of an office)


def navigation_for(user) -> Navigation:
    """*Reports* for people with a role that lets them see assessments beyond the public
    ones (an office membership, a network role, superuser); *Members* for those who manage
    members: a lead of one office goes straight to its members page, anyone managing several
    offices (a secretariat, a superuser, a lead of two) to the list of them. Two queries, the
    same rules as `Office.objects.members_managed_by`."""
    from django.urls import reverse

    if not user.is_authenticated:
        return Navigation()
    roles = roles_of(user)
    memberships = [(role, slug) for _pk, role, slug in roles.offices]
    network_roles = {role for _pk, role in roles.networks}
    secretariat = NetworkRole.Role.SECRETARIAT in network_roles
    led = [slug for role, slug in memberships if role == Role.LEAD]
    if secretariat or user.is_superuser or len(led) > 1:
        members_url = reverse("cities:members-offices")
    elif led:
        members_url = reverse("cities:office-members", kwargs={"slug": led[0]})
    else:
        members_url = ""
    return Navigation(reports=bool(user.is_superuser or memberships or network_roles),
                      members_url=members_url, is_secretariat=secretariat,
                      has_offices=bool(memberships),
                      exchanges=any(role in OfficeMembership.EDITING_ROLES
                                    for role, _slug in memberships))


@dataclass(frozen=True)
class ExchangeAccess:
    """What one user may do with a peer-exchange request they may see (the request itself is
    fetched through `ExchangeRequest.objects.visible_to`, so anyone else's is a 404)."""

    requester_role: str | None = None  # role in the office that asked
    peer_role: str | None = None  # role in the office that was asked
    is_secretariat: bool = False  # of either office's network (or superuser)

    @property
    def can_answer(self):
        """Accept or decline: the peer office's editors and leads."""
        return self.peer_role in OfficeMembership.EDITING_ROLES

    @property
    def can_follow_up(self):
        """Mark it held, turn it into an action: the asking office's editors and leads."""
        return self.requester_role in OfficeMembership.EDITING_ROLES

    def refusal(self, *, answering):
        if answering and not self.can_answer:
            return _("Only the editors of the office that was asked accept or decline.")
        if not answering and not self.can_follow_up:
            return _("Only the editors of the office that asked follow the exchange up.")
        return ""


def exchange_access(user, *, requester_office, peer_office) -> ExchangeAccess:
    """Two queries: the user's roles in both offices, and whether they are the secretariat of
    either office's city."""
    if not user.is_authenticated:
        return ExchangeAccess()
    roles = dict(OfficeMembership.objects.filter(
        user=user, office_id__in=[requester_office.pk, peer_office.pk])
        .values_list("office_id", "role"))
    manager = user.is_superuser or City.objects.managed_by(user).filter(
        pk__in=[requester_office.city_id, peer_office.city_id]).exists()
    return ExchangeAccess(requester_role=roles.get(requester_office.pk),
                          peer_role=roles.get(peer_office.pk), is_secretariat=manager)


def require_secretariat(request):
    """The network-wide exchange list (and other secretariat pages): a 403 for anyone else."""
    if not is_secretariat(request.user):
        raise PermissionDenied(_("Only the network secretariat sees this page."))
    request.ovp_private = True


def landing_for(user) -> str:
    """Where a person lands after signing in (docs/access.md): editors and leads on "Your
    work" (the home page shows it to them), the secretariat on its review queue, viewers on
    their office's assessments, researchers on the comparison; anyone else on the home page."""
    from django.urls import reverse

    if not user.is_authenticated:
        return reverse("home")
    held = roles_of(user)
    roles = {role for _pk, role, _slug in held.offices}
    if roles & set(OfficeMembership.EDITING_ROLES):
        return reverse("home")
    if is_secretariat(user):
        return reverse("criteria:review-queue")
    if roles:
        return reverse("criteria:my-assessments")
    if held.networks:
        return reverse("reports:compare")
    return reverse("home")


def mfa_required(user) -> bool:
    """Does one of `user`'s networks require them to sign in with a second factor?

    A network may require it of its secretariat and of the editors of its member cities'
    offices (`Network.require_mfa_secretariat`, `require_mfa_editors`).
    """
    return roles_of(user).mfa_required


def mfa_setup_missing(user) -> bool:
    """True for someone who must use two-step sign-in and has not set it up: they may only
    set it up, switch the language or sign out (ovp_assess/middleware.py), and their API
    tokens are refused (cities/api_auth.py)."""
    if not mfa_required(user):
        return False
    from allauth.mfa.utils import is_mfa_enabled

    return not is_mfa_enabled(user)
