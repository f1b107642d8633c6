"""django-allauth, fitted to OVP Assess (docs/accounts.md).

- No open sign-up: people get an account through an invitation (cities/account_views.py) or
  the admin, never by signing up themselves.
- Mails (reset links, verification, password and multi-factor notices) go out in the
  recipient's language when we know it (`User.preferred_language`).
- A reset link is sent only to the account's own address (`User.email`), and the token in it
  is bound to that address, so using it proves the mailbox: the address is then marked
  verified. Invitation links are reset links, so an invited person's address is verified when
  they set their password.
- The client address is the one every throttle uses (`ovp_assess.signin.client_ip`).
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .signin import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False

    def get_client_ip(self, request) -> str:
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine the client address")
        return ip

    #: allauth's "Successfully signed in/out" notes: the header already says who is signed in.
    QUIET_MESSAGES = {"account/messages/logged_in.txt", "account/messages/logged_out.txt"}

    def add_message(self, request, level, message_template=None, *args, **kwargs):
        if message_template in self.QUIET_MESSAGES:
            return
        super().add_message(request, level, message_template, *args, **kwargs)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        language = recipient_language(context.get("user"), email)
        with translation.override(language):
            super().send_mail(template_prefix, email, context)


def recipient_language(user, email: str | None = None) -> str:
    """The language to write to `user` (or the owner of `email`) in."""
    from cities.models import User

    if user is None and email:
        user = User.objects.filter(email__iexact=email).first()
    chosen = getattr(user, "preferred_language", "") or ""
    return chosen or translation.get_language() or settings.LANGUAGE_CODE


class ResetPasswordForm(AllauthResetPasswordForm):
    """allauth's reset form, mailing only accounts whose own address was asked for.

    allauth also finds accounts by a secondary (possibly unverified) address; we send the link
    only to `User.email`, so a used link proves that address (see `mark_email_verified`).
    """

    def clean_email(self) -> str:
        email = super().clean_email()
        self.users = [u for u in self.users if (u.email or "").lower() == email.lower()]
        return email


def set_password_url(user) -> str:
    """An absolute, single-use link for `user` to set a password (invitations).

    It is allauth's reset link: the token depends on the password hash, the last sign-in and
    the address, so it stops working once used, after a sign-in, or if the address changes.
    """
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    return settings.SITE_URL.rstrip("/") + path.replace("UID-KEY", key)


def mark_email_verified(sender, request=None, user=None, **kwargs):
    """After a reset link was used: the account's address received it, so it is verified."""
    if user is None or not user.email:
        return
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        EmailAddress.objects.create(
            user=user, email=user.email.lower(), verified=True,
            primary=not EmailAddress.objects.filter(user=user, primary=True).exists(),
        )
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])


def connect_signals():
    from allauth.account.signals import password_reset

    password_reset.connect(mark_email_verified, dispatch_uid="ovp-reset-verifies-email")


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form with a visible label naming both ways in, and no placeholders
    standing in for labels; the reset link is on the page, not in the field's help."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_suffix = ""
        self.fields["login"].label = _("Username or email")
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["password"].help_text = ""
        self.fields["password"].widget.attrs.pop("placeholder", None)
