"""Structured logs: one JSON object per line, and a security log of sign-ins and refusals.

Every record carries time, level, logger and message, plus any `extra={...}` fields given
to the logger. Records from the `ovp_assess.security` logger say who tried what from where:
sign-ins, failed sign-ins, lockouts (django-axes), sign-outs and refused access (403).
"""

import json
import logging
from datetime import UTC, datetime

security_log = logging.getLogger("ovp_assess.security")

# Attributes every LogRecord has; anything else was passed in `extra` and is logged as a field.
_STANDARD = set(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {
    "message", "asctime", "taskName",
}


class JSONFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def client_ip(request):
    if request is None:
        return ""
    from .signin import client_ip as address_of

    return address_of(request)


def _event(event, *, request=None, username="", level=logging.INFO, **fields):
    security_log.log(
        level,
        "%s %s",
        event,
        username,
        extra={
            "event": event,
            "username": username,
            "ip": client_ip(request),
            "path": getattr(request, "path", ""),
            **fields,
        },
    )


def _logged_in(sender, request, user, **kwargs):
    _event("login", request=request, username=user.get_username())


def _logged_out(sender, request, user, **kwargs):
    _event("logout", request=request, username=user.get_username() if user else "")


def _login_failed(sender, credentials, request=None, **kwargs):
    _event("login_failed", request=request, username=str(credentials.get("username", "")),
           level=logging.WARNING)


def _locked_out(sender, request, username, ip_address, **kwargs):
    _event("lockout", request=request, username=username or "", level=logging.WARNING)


def connect_signals():
    from axes.signals import user_locked_out
    from django.contrib.auth import signals

    signals.user_logged_in.connect(_logged_in, dispatch_uid="ovp-security-login")
    signals.user_logged_out.connect(_logged_out, dispatch_uid="ovp-security-logout")
    signals.user_login_failed.connect(_login_failed, dispatch_uid="ovp-security-login-failed")
    user_locked_out.connect(_locked_out, dispatch_uid="ovp-security-lockout")


class RefusedAccessLogMiddleware:
    """Log every refused request (403: permission denied, CSRF failure, lockout page aside)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            user = getattr(request, "user", None)
            _event(
                "access_refused",
                request=request,
                username=user.get_username() if user is not None and user.is_authenticated
                else "",
                level=logging.WARNING,
                method=request.method,
                status=403,
            )
        return response
