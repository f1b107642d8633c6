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

from .models import City, Network, NetworkRole, Office, OfficeMembership

START, MANAGE = "start", "manage"


@dataclass(frozen=True)
class OfficeAccess:
    role: str | None = None
    is_manager: bool = False  # secretariat of the office's city's network (or superuser)

    @property
    def can_start(self):
        """Start (or copy forward) an assessment: the office's editors."""
        return self.role == OfficeMembership.Role.EDITOR

    @property
    def can_manage_members(self):
        return self.is_manager


def office_access(user, office) -> OfficeAccess:
    if not user.is_authenticated:
        return OfficeAccess()
    role = (OfficeMembership.objects.filter(user=user, office=office)
            .values_list("role", flat=True).first())
    manager = user.is_superuser or City.objects.managed_by(user).filter(
        pk=office.city_id).exists()
    return OfficeAccess(role=role, is_manager=manager)


def get_office_for_user(request, slug, *, need):
    """(office, access); a 403 unless the user may `need` (start / manage)."""
    office = get_object_or_404(Office.objects.select_related("city"), slug=slug)
    access = office_access(request.user, office)
    if need == START and not access.can_start:
        raise PermissionDenied(_("Only the office's editors can start an assessment."))
    if need == MANAGE and not access.can_manage_members:
        raise PermissionDenied(_("Only the network secretariat manages an office's members."))
    request.ovp_private = True
    return office, access


def is_secretariat(user) -> bool:
    """Secretariat of at least one network (or superuser): review queue, exports, library
    additions, outcome figures."""
    return user.is_authenticated and Network.objects.managed_by(user).exists()


def mfa_required(user) -> bool:
    """Does one of `user`'s networks require them to sign in with a second factor?

    A network may require it of its secretariat and of the editors of its member cities'
    offices (`Network.require_mfa_secretariat`, `require_mfa_editors`).
    """
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_ovp_mfa_required", None)
    if cached is not None:
        return cached
    required = (
        Network.objects.filter(
            require_mfa_secretariat=True, roles__user=user,
            roles__role=NetworkRole.Role.SECRETARIAT,
        ).exists()
        or Network.objects.filter(
            require_mfa_editors=True,
            cities__offices__memberships__user=user,
            cities__offices__memberships__role=OfficeMembership.Role.EDITOR,
        ).exists()
    )
    user._ovp_mfa_required = required
    return required


def mfa_setup_missing(user) -> bool:
    """True for someone who must use two-step sign-in and has not set it up: they may only
    set it up, switch the language or sign out (ovp_assess/middleware.py), and their API
    tokens are refused (cities/api_auth.py)."""
    if not mfa_required(user):
        return False
    from allauth.mfa.utils import is_mfa_enabled

    return not is_mfa_enabled(user)
