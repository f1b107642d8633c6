from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _


class UserLanguageMiddleware:
    """A signed-in user's chosen language wins over the browser's (LocaleMiddleware's pick)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        chosen = getattr(user, "preferred_language", "") if user is not None else ""
        if chosen and user.is_authenticated and translation.check_for_language(chosen):
            translation.activate(chosen)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


#: Browser features this site never uses, refused for it and anything it embeds.
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
    "magnetometer", "microphone", "midi", "payment",
    "screen-wake-lock", "usb", "xr-spatial-tracking",
))


class PrivacyHeadersMiddleware:
    """`Permissions-Policy` on every response; `Cache-Control: private, no-store` on every
    response that may hold what not everyone may read.

    Private means: anything answered to a signed-in user (session or API token: DRF sets
    the token's user on the request), and anything a view marked with `request.ovp_private`
    (the access helpers do, for any assessment that is not published and public). Anonymous
    visitors only ever see public data, which proxies may cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if getattr(request, "ovp_private", False) or (
            user is not None and user.is_authenticated
        ):
            patch_cache_control(response, private=True, no_store=True)
        return response


class RequireMultiFactorMiddleware:
    """Someone whose network requires two-step sign-in and who has not set it up may only set
    it up: every other page redirects to the setup, and the API (with the session) answers
    403. Signing out, switching the language, the setup pages and static files stay open.

    The rule is `cities.access.mfa_setup_missing`; API tokens are refused by the same rule
    (cities/api_auth.py).
    """

    #: URL names (allauth's) a person must reach to set up a second factor or to leave.
    ALLOWED_NAMES = frozenset({
        "account_logout", "account_reauthenticate", "account_login",
        "mfa_index", "mfa_activate_totp", "mfa_add_webauthn", "mfa_reauthenticate",
        "mfa_generate_recovery_codes", "mfa_view_recovery_codes",
        "mfa_download_recovery_codes", "mfa_reauthenticate_webauthn", "mfa_list_webauthn",
        "set_language", "healthz",
    })

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self._allowed(request):
            from cities.access import mfa_setup_missing

            if mfa_setup_missing(user):
                return self._refuse(request)
        return self.get_response(request)

    def _allowed(self, request) -> bool:
        from django.conf import settings

        path = request.path_info
        if path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return True
        try:
            match = resolve(path)
        except Resolver404:
            return True  # a 404 tells nothing
        return match.url_name in self.ALLOWED_NAMES and not match.namespace

    @staticmethod
    def _refuse(request):
        from django.contrib import messages

        message = _("Your network requires two-step sign-in. Set it up to continue.")
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": str(message)}, status=403)
        if request.method == "GET":
            messages.warning(request, message)
        return redirect("mfa_index")
