"""The only way WeasyPrint may read anything while it renders a PDF.

WeasyPrint's default fetcher opens `file://` paths and any http(s) URL and embeds what it gets
(images, stylesheets, attachments), so a URL a user typed could pull `/etc/passwd` or a cloud
metadata endpoint into a PDF. This fetcher serves our own static files and `data:` URIs and
refuses everything else, recording what it refused.
"""

from __future__ import annotations

import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from weasyprint.urls import URLFetcher, URLFetcherResponse

#: Relative URLs in the brief (e.g. `/static/reports/brief.css`) resolve against this base;
#: `.invalid` is reserved (RFC 2606), so nothing can ever be fetched from it over a network.
BASE_URL = "https://ovp-assess.invalid/"


class BlockedURL(ValueError):
    """Raised for any URL outside our static files; WeasyPrint logs it and skips the resource."""


class SafeURLFetcher(URLFetcher):
    def __init__(self):
        super().__init__(allowed_protocols=("https", "data"), allow_redirects=False)
        self.blocked: list[str] = []
        self.served: list[str] = []

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            # Decoded in memory by urllib's DataHandler: no file, no network.
            return super().fetch(url, headers)
        path = self._static_path(url)
        if path is None:
            self.blocked.append(url)
            raise BlockedURL(f"Not fetched (only our static files and data: URIs are): {url}")
        self.served.append(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    @staticmethod
    def _static_path(url) -> Path | None:
        prefix = BASE_URL + settings.STATIC_URL.lstrip("/")
        if not url.startswith(prefix):
            return None
        parts = urlsplit(url)
        name = unquote(parts.path)[len(urlsplit(prefix).path):]
        # Refuse anything that could climb out of the static tree, before any lookup.
        normalized = posixpath.normpath(name)
        if (
            not name
            or "\\" in name
            or "\x00" in name
            or normalized.startswith(("../", "/"))
            or normalized == ".."
            or ".." in name.split("/")
        ):
            return None
        found = None
        if settings.STATIC_ROOT and staticfiles_storage.exists(normalized):
            found = staticfiles_storage.path(normalized)
        if found is None:
            found = finders.find(normalized)
        if not found:
            return None
        path = Path(found).resolve()
        roots = [Path(d).resolve() for d in settings.STATICFILES_DIRS]
        if settings.STATIC_ROOT:
            roots.append(Path(settings.STATIC_ROOT).resolve())
        if not any(path.is_relative_to(root) for root in roots) or not path.is_file():
            return None
        return path
