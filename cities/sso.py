"""Single sign-on: who may sign in through an identity provider, and the way there.

A secretariat ties an identity provider (an allauth SocialApp, OpenID Connect or SAML 2.0) to
its network and email domains in the admin (`SsoConnection`). Signing in through it:

- matches the person to the account their invitation made, by an email address the provider
  verified, in one of the connection's domains, of someone invited into that network;
- creates no account and grants nothing: anyone else gets a page saying why, and roles still
  come only from office memberships and network roles.

docs/sso.md says how to set up Entra ID, Google Workspace, Keycloak and a SAML provider.
"""

import logging

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from .models import SsoConnection, User

security_log = logging.getLogger("ovp_assess.security")


def connection_of(app):
    try:
        return app.sso_connection
    except SsoConnection.DoesNotExist:
        return None


class SsoAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        # Nobody gets an account by signing in; pre_social_login refuses before this.
        return False

    def is_email_verified(self, provider, email):
        """An address counts as verified when the provider says so (email_verified), or when
        the secretariat marked the provider as asserting only directory addresses and the
        address is in the connection's domains."""
        connection = connection_of(provider.app)
        if connection is None or not connection.trust_provider_emails:
            return False
        return email.rpartition("@")[2].lower() in connection.domains

    def pre_social_login(self, request, sociallogin):
        connection = connection_of(sociallogin.provider.app)
        provider_name = sociallogin.provider.app.name or sociallogin.provider.name
        verified = [a.email for a in sociallogin.email_addresses if a.verified and a.email]
        asserted = [a.email for a in sociallogin.email_addresses if a.email]

        def refuse(reason, message):
            security_log.warning(
                "sso_refused provider=%s reason=%s email=%s", sociallogin.provider.app.pk,
                reason, (verified or asserted or [""])[0])
            raise ImmediateHttpResponse(render(request, "cities/sso_refused.html", {
                "title": _("We could not sign you in"),
                "message": message,
                "provider": provider_name,
                "emails": asserted,
            }, status=403))

        if connection is None:
            refuse("no_connection", _("This identity provider is not set up for any network "
                                      "on OVP Assess."))
        in_domain = [e for e in verified if e.rpartition("@")[2].lower() in connection.domains]
        if not verified:
            refuse("unverified", _("The identity provider did not give a verified email "
                                   "address, and we sign people in only by a verified one."))
        if not in_domain:
            refuse("domain", _("Your address is not in the email domains set up for this "
                               "identity provider."))

        matches = [user for email in in_domain
                   for user in User.objects.filter(email__iexact=email, is_active=True)]
        invited = [user for user in matches if connection.admits(user)]
        if len({user.pk for user in invited}) != 1:
            refuse("not_invited", _(
                "There is no invitation for this address in %(network)s. Ask your network's "
                "secretariat or your office to invite you; then sign in again here.")
                % {"network": connection.network.name})
        user = invited[0]
        if sociallogin.is_existing:
            if sociallogin.user.pk != user.pk:
                refuse("mismatch", _("This sign-in is linked to another account."))
            return
        # Link the provider's identity to the invited account; allauth then signs them in.
        sociallogin.connect(request, user)
        security_log.info("sso_linked provider=%s user=%s", sociallogin.provider.app.pk,
                          user.pk)


class SsoStartForm(forms.Form):
    email = forms.EmailField(
        label=_("Work email address"),
        help_text=_("We send you to your organisation's sign-in page."),
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "aria-describedby": "sso-email-help"}),
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        self.connection = SsoConnection.objects.for_email(email)
        if self.connection is None:
            raise forms.ValidationError(
                _("Single sign-on is not set up for %(domain)s. Sign in with your user name "
                  "and password instead, or ask your network's secretariat.")
                % {"domain": email.rpartition("@")[2]})
        return email


@require_http_methods(["GET", "POST"])
def sso_start(request):
    """Type your work address; we send you to your organisation's identity provider."""
    form = SsoStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        provider = form.connection.app.get_provider(request)
        # The provider's login view would ask to confirm a GET; this POST (with its CSRF
        # token) is that confirmation, so go straight to the provider. Not by a redirect: our
        # content security policy allows forms to lead only to this site ("form-action
        # 'self'"), and browsers apply that to a form's redirects too. A page that moves on
        # by itself (and has a link) is a new navigation, which the policy leaves alone.
        redirect = provider.redirect_from_request(request)
        if redirect.status_code not in (301, 302, 303):
            return redirect
        return render(request, "cities/sso_redirect.html", {
            "title": _("Taking you to %(provider)s") % {"provider": form.connection.app.name},
            "provider": form.connection.app.name, "url": redirect["Location"],
        })
    return render(request, "cities/sso_start.html", {
        "form": form, "title": _("Sign in with your organisation"),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }, status=400 if form.errors else 200)
