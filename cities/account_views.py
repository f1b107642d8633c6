"""Accounts: the signed-in user's page, and office members managed by the office's leads
and the network secretariat (who may do what: cities.access)."""

from allauth.account.models import EmailAddress
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ovp_assess.accounts import set_password_url as make_set_password_url

from .access import MANAGE, get_office_for_user, mfa_required, office_access
from .forms import InviteForm, RoleChangeForm
from .models import Office, OfficeMembership, User


@login_required
def account(request):
    return render(
        request,
        "cities/account.html",
        {
            "memberships": request.user.office_memberships.select_related("office__city"),
            "network_roles": request.user.network_roles.select_related("network"),
            "mfa_enabled": is_mfa_enabled(request.user),
            "mfa_required": mfa_required(request.user),
            "title": _("Your account"),
        },
    )


class MemberChangeRefused(Exception):
    """A member change the access layer refused; the message is for the user."""


def _lock_office(office):
    """Lock the office row: member changes of one office happen one at a time, so the count
    of its leads cannot change between the check and the write."""
    return Office.objects.select_for_update().get(pk=office.pk)


def _leads(office):
    return office.memberships.filter(role=OfficeMembership.Role.LEAD).count()


@transaction.atomic
def invite_member(*, office, email, role, by, access=None):
    """Add `email` to `office` with `role`; a new person gets a one-time set-password link.

    `access` (the inviter's OfficeAccess) is checked under the office's lock: the role must
    be one they may grant, and an existing member's role changes only as change_role allows.
    Returns (membership, created_user).
    """
    _lock_office(office)
    access = access if access is not None else office_access(by, office)
    if role not in access.grantable_roles():
        raise MemberChangeRefused(_("That role cannot be given here."))
    user = User.objects.filter(email__iexact=email).first()
    existing = (OfficeMembership.objects.filter(user=user, office=office).first()
                if user is not None else None)
    if existing is not None and existing.role != role:
        refusal = access.change_refusal(existing, role, leads=_leads(office))
        if refusal:
            raise MemberChangeRefused(refusal)
    created_user = user is None
    if created_user:
        user = User(username=email, email=email)
        user.set_unusable_password()
        user.save()
        # Verified when they use the link, which only reaches this address.
        EmailAddress.objects.create(user=user, email=email.lower(), primary=True,
                                    verified=False)
    membership, created = OfficeMembership.objects.get_or_create(
        user=user, office=office, defaults={"role": role, "invited_by": by}
    )
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    set_password_url = ""
    if created_user or not user.has_usable_password():
        # allauth's reset link: single-use, and using it verifies the address it went to.
        set_password_url = make_set_password_url(user)
    body = render_to_string(
        "cities/emails/invitation.txt",
        {"office": office, "role": membership.get_role_display().lower(),
         "inviter": by.display_name, "set_password_url": set_password_url,
         "site_url": settings.SITE_URL},
    )
    subject = _("You have been added to %(office)s on OVP Assess") % {"office": office.name}
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
    return membership, created_user


@transaction.atomic
def change_role(*, membership, role, by, access):
    """Give `membership` another role, if `access` (the actor's) allows it under the lock.
    The audit trail records the change (cities.audit's signals)."""
    _lock_office(membership.office)
    membership = OfficeMembership.objects.select_related("office").get(pk=membership.pk)
    refusal = access.change_refusal(membership, role, leads=_leads(membership.office))
    if refusal:
        raise MemberChangeRefused(refusal)
    if membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def remove_member(*, membership, by, access):
    _lock_office(membership.office)
    membership = OfficeMembership.objects.select_related("office", "user").get(pk=membership.pk)
    refusal = access.change_refusal(membership, None, leads=_leads(membership.office))
    if refusal:
        raise MemberChangeRefused(refusal)
    membership.delete()
    return membership


@login_required
def members_offices(request):
    """The offices whose members the user manages (a secretariat's offices; a lead's own)."""
    offices = list(Office.objects.members_managed_by(request.user)
                   .select_related("city").order_by("city__name", "name"))
    if not offices:
        raise PermissionDenied(
            _("Only the office's leads and the network secretariat manage its members."))
    request.ovp_private = True
    return render(request, "cities/members_offices.html",
                  {"offices": offices, "title": _("Members")})


@login_required
def office_members(request, slug):
    office, access = get_office_for_user(request, slug, need=MANAGE)
    roles = access.grantable_roles()
    form = InviteForm(request.POST or None, roles=roles)
    if request.method == "POST" and form.is_valid():
        try:
            membership, created_user = invite_member(
                office=office, email=form.cleaned_data["email"],
                role=form.cleaned_data["role"], by=request.user, access=access,
            )
        except MemberChangeRefused as refused:
            form.add_error("role", str(refused))
        else:
            if created_user:
                messages.success(request, _("Invitation sent to %(email)s with a link to set "
                                            "a password.") % {"email": form.cleaned_data["email"]})
            else:
                messages.success(request, _("%(email)s is now %(role)s of this office; they "
                                            "were told by email.")
                                 % {"email": form.cleaned_data["email"],
                                    "role": membership.get_role_display().lower()})
            return redirect("cities:office-members", slug=slug)
    members = list(office.memberships.select_related("user").order_by("role", "user__email"))
    leads = sum(1 for m in members if m.role == OfficeMembership.Role.LEAD)
    for m in members:
        m.remove_refusal = access.change_refusal(m, None, leads=leads)
        m.role_form = RoleChangeForm(initial={"role": m.role}, roles=roles,
                                     prefix=f"member-{m.pk}")
    return render(
        request,
        "cities/office_members.html",
        {"office": office, "form": form, "members": members, "access": access,
         "title": _("Members of %(office)s") % {"office": office.name}},
        status=422 if form.errors else 200,
    )


def _member_for(request, slug, pk):
    office, access = get_office_for_user(request, slug, need=MANAGE)
    return get_object_or_404(office.memberships.select_related("user", "office"), pk=pk), access


@login_required
@require_POST
def member_role(request, slug, pk):
    membership, access = _member_for(request, slug, pk)
    form = RoleChangeForm(request.POST, roles=access.grantable_roles(),
                          prefix=f"member-{membership.pk}")
    if not form.is_valid():
        messages.error(request, _("Role: %(problem)s")
                       % {"problem": " ".join(form.errors.get("role", []))})
        return redirect("cities:office-members", slug=slug)
    try:
        membership = change_role(membership=membership, role=form.cleaned_data["role"],
                                 by=request.user, access=access)
    except MemberChangeRefused as refused:
        messages.error(request, str(refused))
        return redirect("cities:office-members", slug=slug)
    messages.success(request, _("%(user)s is now %(role)s of this office.")
                     % {"user": membership.user.email or membership.user.username,
                        "role": membership.get_role_display().lower()})
    return redirect("cities:office-members", slug=slug)


@login_required
@require_POST
def member_remove(request, slug, pk):
    membership, access = _member_for(request, slug, pk)
    try:
        membership = remove_member(membership=membership, by=request.user, access=access)
    except MemberChangeRefused as refused:
        messages.error(request, str(refused))
        return redirect("cities:office-members", slug=slug)
    messages.success(request, _("%(user)s no longer belongs to this office.")
                     % {"user": membership.user.email or membership.user.username})
    if membership.user_id == request.user.pk and not access.is_manager:
        return redirect(membership.office.get_absolute_url())  # no longer theirs to manage
    return redirect("cities:office-members", slug=slug)
