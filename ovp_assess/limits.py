"""Refuse oversized request bodies before any view (or Django's body parsing) sees them."""

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    """413 for a body over MAX_REQUEST_BYTES, judged from Content-Length alone.

    A chunked body (no Content-Length) is refused with 411: Django would read it as empty.
    The proxy in front should carry the same limit (docs/deploy.md) so the bytes never
    reach an app server at all.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.MAX_REQUEST_BYTES
        raw = request.META.get("CONTENT_LENGTH") or ""
        if request.META.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked" and not raw:
            return HttpResponse(_("Send a Content-Length with the request body."),
                                status=411, content_type="text/plain; charset=utf-8")
        try:
            length = int(raw) if raw else 0
        except ValueError:
            return HttpResponse(_("Invalid Content-Length."), status=400,
                                content_type="text/plain; charset=utf-8")
        if length > limit:
            return HttpResponse(
                _("The request is too large (at most %(mb)d MB).") % {"mb": limit // 2**20},
                status=413, content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
