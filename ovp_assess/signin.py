"""Who is asking, and how often: the client address behind proxies, and sign-in throttles.

One function decides the client's address (`client_ip`) and every throttle uses it: django-axes
(failed sign-ins), the per-address limit on sign-in failures across many user names, the
password-reset mail throttle and DRF's API throttles. Behind N trusted proxies that each append
the address they saw to X-Forwarded-For, the client is the N-th entry from the right; whatever
stands to its left was written by the client itself and is ignored (the "right-most" rule).
"""

from __future__ import annotations

import hashlib
import ipaddress
from datetime import timedelta

from allauth.account.views import PasswordResetView
from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from rest_framework import throttling

from cities.models import PasswordResetRequest


def client_ip(request) -> str:
    """The address of the client that sent `request` (see the module docstring)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    if not hops:
        # The request did not come through the proxy: the peer is all we know.
        return remote
    # With fewer entries than proxies the request skipped a hop; take the left-most we have,
    # as DRF's NUM_PROXIES does, so one rule serves every throttle.
    candidate = hops[-min(proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


# --- django-axes --------------------------------------------------------------------------


def axes_username(request, credentials=None) -> str | None:
    """The account a sign-in attempt is about, for axes' per-user counts.

    allauth's sign-in form has one field, "login", holding a user name or an email address;
    it authenticates with `username=` or `email=`. Both are counted against the same account
    (its user name), so switching between them does not earn extra attempts. An address that
    belongs to no account is counted as typed.
    """
    from cities.models import User

    credentials = credentials or {}
    typed = credentials.get("username") or credentials.get("email")
    if typed is None and request is not None:
        data = getattr(request, "POST", {})
        typed = data.get("login") or data.get("username")
    if not typed:
        return None
    typed = str(typed).strip()
    if "@" in typed:
        owner = User.objects.filter(email__iexact=typed).values_list("username", flat=True)
        return owner.first() or typed.lower()
    return typed


class SignInHandler(AxesDatabaseHandler):
    """axes' database handler, plus a limit on failures from one address across user names.

    axes locks a (user name, address) pair after DJANGO_LOGIN_FAILURE_LIMIT failures. Someone
    trying many user names from one address would never hit that, so the address itself is
    refused after DJANGO_LOGIN_ADDRESS_FAILURE_LIMIT failures within the cool-off time.
    """

    def get_failures(self, request, credentials=None) -> int:
        # axes compares this number with its limit both before a sign-in (is it allowed?) and
        # after a failure (lock now?): an address over its own limit counts as at the limit.
        failures = super().get_failures(request, credentials)
        if request is not None and self.address_failures(request) >= (
            settings.LOGIN_ADDRESS_FAILURE_LIMIT
        ):
            return max(failures, get_failure_limit(request, credentials))
        return failures

    @staticmethod
    def address_failures(request) -> int:
        address = getattr(request, "axes_ip_address", None) or client_ip(request)
        return AccessAttempt.objects.filter(
            ip_address=address, attempt_time__gte=get_cool_off_threshold(request),
        ).aggregate(n=Sum("failures_since_start"))["n"] or 0


# --- password-reset mail ------------------------------------------------------------------


class ThrottledPasswordResetView(PasswordResetView):
    """allauth's reset view, sending at most a few mails per address and per email per hour.

    Requests are counted in the database (`PasswordResetRequest`), so every app process
    sees the same counts. Past the per-email limit the page answers as usual and no mail is
    sent (the answer never tells whether an account exists); past the per-address limit the
    page says to wait.
    """

    def post(self, request, *args, **kwargs):
        address = client_ip(request)
        since = timezone.now() - timedelta(hours=1)
        recent = PasswordResetRequest.objects.filter(requested_at__gte=since)
        if recent.filter(address=address).count() >= settings.PASSWORD_RESET_ADDRESS_LIMIT:
            return render(request, "registration/password_reset_throttled.html", status=429)
        email = request.POST.get("email", "").strip().lower()
        digest = hashlib.sha256(email.encode()).hexdigest()
        over = recent.filter(email_digest=digest).count() >= settings.PASSWORD_RESET_EMAIL_LIMIT
        PasswordResetRequest.objects.create(address=address or None, email_digest=digest)
        if over:
            form = self.get_form()
            if not form.is_valid():
                return self.form_invalid(form)
            # The same answer as a mail sent: the page never tells whether the limit was hit.
            return HttpResponseRedirect(self.get_success_url())
        return super().post(request, *args, **kwargs)


# --- API throttles ------------------------------------------------------------------------


class AnonRateThrottle(throttling.AnonRateThrottle):
    def get_ident(self, request):
        return client_ip(request)


class UserRateThrottle(throttling.UserRateThrottle):
    def get_ident(self, request):
        return client_ip(request)
