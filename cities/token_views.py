"""The account's API tokens page: several named tokens, each with an expiry, revocable."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit
from .models import ApiToken, AuditEvent

LIFETIMES = [
    ("30", gettext_lazy("30 days")),
    ("90", gettext_lazy("90 days")),
    ("365", gettext_lazy("1 year")),
    ("", gettext_lazy("never")),
]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. “R script for the annual comparison”."),
    )
    lifetime = forms.ChoiceField(
        label=gettext_lazy("Expires after"), choices=LIFETIMES, required=False, initial="90",
    )


@login_required
def api_tokens(request):
    """List, create and revoke the signed-in user's API tokens.

    A new key is shown once, on the page the creation redirects to (it waits in the session
    for that one view), so reloading never creates or replaces a token.
    """
    tokens = request.user.api_tokens.all()
    form = ApiTokenForm()
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            token = get_object_or_404(tokens, pk=request.POST.get("token") or None)
            token.delete()
            audit.record(AuditEvent.Action.TOKEN_REVOKED, target=request.user,
                         detail=f"{token.name} ({token.hint}…)")
            messages.success(request, _("The token “%(name)s” was revoked; it no longer works.")
                             % {"name": token.name})
            return redirect("api-tokens")
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            days = form.cleaned_data["lifetime"]
            token, key = ApiToken.issue(
                user=request.user, name=form.cleaned_data["name"],
                expires_at=timezone.now() + timedelta(days=int(days)) if days else None,
            )
            audit.record(AuditEvent.Action.TOKEN_CREATED, target=request.user,
                         detail=f"{token.name} ({token.hint}…)")
            request.session["new_api_token"] = {"id": token.pk, "key": key}
            return redirect("api-tokens")
    new = request.session.pop("new_api_token", None) or {}
    return render(request, "cities/account_tokens.html", {
        "tokens": tokens, "form": form, "new_key": new.get("key"), "new_id": new.get("id"),
        "forms_with_errors": [form] if form.errors else [], "title": _("API tokens"),
    })
