"""The audit trail: record security-relevant events (cities.models.AuditEvent).

`record()` is called where an event happens (sign-in signals, workflow functions, download
views, token views); role and membership changes and admin changes are caught by model
signals, so every path (members pages, invitations, the admin) is covered. Who and from
where come from the request being served, which `AuditContextMiddleware` makes available.
Each event is tagged with the networks whose secretariat may read it.
"""

from __future__ import annotations

import contextvars

from django.contrib.admin.models import LogEntry
from django.contrib.auth import signals as auth_signals
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_save

from .models import AuditEvent, City, Network, NetworkRole, Office, OfficeMembership, User

_current_request = contextvars.ContextVar("audit_request", default=None)


class AuditContextMiddleware:
    """Make the request being served available to `record()` (who, from where)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def networks_of(obj):
    """The networks an object belongs to, for scoping the trail to their secretariat."""
    if obj is None:
        return Network.objects.none()
    if isinstance(obj, Network):
        return Network.objects.filter(pk=obj.pk)
    if isinstance(obj, User):
        return Network.objects.filter(
            Q(cities__offices__memberships__user=obj) | Q(roles__user=obj)
        ).distinct()
    if isinstance(obj, City):
        return Network.objects.filter(cities=obj)
    if isinstance(obj, Office):
        return Network.objects.filter(cities=obj.city_id)
    city_id = getattr(obj, "city_id", None)
    if city_id is not None:  # an assessment, an indicator, a city-scoped object
        return Network.objects.filter(cities=city_id)
    for attr in ("office", "network", "assessment", "response", "user"):
        related = getattr(obj, attr, None)
        if related is not None and related is not obj:
            return networks_of(related)
    return Network.objects.none()


def networks_of_user(user):
    return networks_of(user) if user.is_authenticated else Network.objects.none()


def record(action, *, target=None, detail="", actor=None, actor_name="", request=None,
           networks=None):
    """Write one event. `target` is the object acted on; `networks` default to its networks."""
    from ovp_assess.signin import client_ip

    request = request if request is not None else _current_request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    event = AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_name=(actor.get_username() if actor is not None else actor_name)[:150],
        ip=(client_ip(request) or None) if request is not None else None,
        path=(request.path[:255] if request is not None else ""),
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:255] if target is not None else "",
        detail=str(detail)[:500],
    )
    scope = networks if networks is not None else networks_of(target)
    # One select and one insert, whatever the number of networks.
    through = AuditEvent.networks.through
    through.objects.bulk_create(
        through(auditevent_id=event.pk, network_id=pk)
        for pk in scope.values_list("pk", flat=True).distinct()
    )
    return event


def prune(*, now=None):
    """Delete events older than DJANGO_AUDIT_RETENTION_DAYS; returns how many went."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    deleted, _by_model = AuditEvent.objects.filter(at__lt=cutoff).delete()
    return deleted


# --- roles and memberships, on every path ---------------------------------------------------

def _remember_role(sender, instance, **kwargs):
    instance._audit_old_role = (
        sender.objects.filter(pk=instance.pk).values_list("role", flat=True).first()
        if instance.pk else None
    )


def _role_saved(sender, instance, created, **kwargs):
    where = instance.office if isinstance(instance, OfficeMembership) else instance.network
    if created:
        action = AuditEvent.Action.ROLE_GRANTED
        detail = f"{instance.user}: {instance.role} of {where}"
    elif instance._audit_old_role != instance.role:
        action = AuditEvent.Action.ROLE_CHANGED
        detail = f"{instance.user}: {instance._audit_old_role} → {instance.role} of {where}"
    else:
        return
    record(action, target=instance.user, detail=detail, networks=networks_of(where))


def _role_deleted(sender, instance, **kwargs):
    where = instance.office if isinstance(instance, OfficeMembership) else instance.network
    record(AuditEvent.Action.ROLE_REVOKED, target=instance.user,
           detail=f"{instance.user}: no longer {instance.role} of {where}",
           networks=networks_of(where))


def _admin_logged(sender, instance, created, **kwargs):
    if not created:
        return
    try:
        edited = instance.get_edited_object()
    except Exception:  # noqa: BLE001 - a deleted object: scope by nothing but the superuser
        edited = None
    verb = {1: "added", 2: "changed", 3: "deleted"}.get(instance.action_flag, "changed")
    record(
        AuditEvent.Action.ADMIN_CHANGE, target=edited, actor=instance.user,
        detail=f"{verb} {instance.content_type.model if instance.content_type else ''} "
               f"“{instance.object_repr}”: {instance.get_change_message()}",
    )


# --- sign-ins -------------------------------------------------------------------------------

def _known_user(username):
    return User.objects.filter(username=username).first() if username else None


def _logged_in(sender, request, user, **kwargs):
    record(AuditEvent.Action.LOGIN, target=user, actor=user, request=request)


def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(AuditEvent.Action.LOGOUT, target=user, actor=user, request=request)


def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))
    record(AuditEvent.Action.LOGIN_FAILED, target=_known_user(username), actor_name=username,
           request=request, detail=username)


def _locked_out(sender, request, username, ip_address, **kwargs):
    record(AuditEvent.Action.LOCKOUT, target=_known_user(username), actor_name=username or "",
           request=request, detail=username or "")


def connect_signals():
    for model in (OfficeMembership, NetworkRole):
        pre_save.connect(_remember_role, sender=model, dispatch_uid=f"audit-pre-{model.__name__}")
        post_save.connect(_role_saved, sender=model, dispatch_uid=f"audit-save-{model.__name__}")
        post_delete.connect(_role_deleted, sender=model,
                            dispatch_uid=f"audit-delete-{model.__name__}")
    post_save.connect(_admin_logged, sender=LogEntry, dispatch_uid="audit-admin-log")
    from axes.signals import user_locked_out

    auth_signals.user_logged_in.connect(_logged_in, dispatch_uid="audit-login")
    auth_signals.user_logged_out.connect(_logged_out, dispatch_uid="audit-logout")
    auth_signals.user_login_failed.connect(_login_failed, dispatch_uid="audit-login-failed")
    user_locked_out.connect(_locked_out, dispatch_uid="audit-lockout")
