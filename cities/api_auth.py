"""API authentication by token: `Authorization: Token <key>`, looked up by the key's digest."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .access import mfa_setup_missing
from .models import ApiToken

# Writing last_used_at on every request would make each API read a write; once a minute
# tells the owner what they need to know (is this token still in use?).
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuthentication(authentication.TokenAuthentication):
    model = ApiToken

    def authenticate_credentials(self, key):
        token = ApiToken.objects.for_key(key).select_related("user").first()
        if token is None or token.expired:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if mfa_setup_missing(token.user):
            # A token stands for its owner's sign-in; when their network comes to require a
            # second factor, it works again only once they have set one up (docs/accounts.md).
            raise exceptions.PermissionDenied(_(
                "Your network requires two-step sign-in. Set it up on the site (Your account "
                "→ Two-step sign-in) before using the API."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
