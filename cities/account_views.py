"""Accounts: the signed-in user's page, and office members managed by the secretariat."""

from allauth.account.models import EmailAddress
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ovp_assess.accounts import set_password_url as make_set_password_url

from .access import MANAGE, get_office_for_user, mfa_required
from .forms import InviteForm
from .models import OfficeMembership, User


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


@transaction.atomic
def invite_member(*, office, email, role, by):
    """Add `email` to `office` with `role`; a new person gets a one-time set-password link.

    Returns (membership, created_user).
    """
    user = User.objects.filter(email__iexact=email).first()
    created_user = user is None
    if created_user:
        user = User(username=email, email=email)
        user.set_unusable_password()
        user.save()
        # Verified when they use the link, which only reaches this address.
        EmailAddress.objects.create(user=user, email=email.lower(), primary=True,
                                    verified=False)
    membership, created = OfficeMembership.objects.get_or_create(
        user=user, office=office, defaults={"role": role}
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


@login_required
def office_members(request, slug):
    office, _access = get_office_for_user(request, slug, need=MANAGE)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        membership, created_user = invite_member(
            office=office, email=form.cleaned_data["email"], role=form.cleaned_data["role"],
            by=request.user,
        )
        if created_user:
            messages.success(request, _("Invitation sent to %(email)s with a link to set a "
                                        "password.") % {"email": form.cleaned_data["email"]})
        else:
            messages.success(request, _("%(email)s is now %(role)s of this office; they were "
                                        "told by email.")
                             % {"email": form.cleaned_data["email"],
                                "role": membership.get_role_display().lower()})
        return redirect("cities:office-members", slug=slug)
    members = office.memberships.select_related("user").order_by("role", "user__email")
    return render(
        request,
        "cities/office_members.html",
        {"office": office, "form": form, "members": members,
         "title": _("Members of %(office)s") % {"office": office.name}},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def member_remove(request, slug, pk):
    office, _access = get_office_for_user(request, slug, need=MANAGE)
    membership = get_object_or_404(office.memberships.select_related("user"), pk=pk)
    membership.delete()
    messages.success(request, _("%(user)s no longer belongs to this office.")
                     % {"user": membership.user.email or membership.user.username})
    return redirect("cities:office-members", slug=slug)

