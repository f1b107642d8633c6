"""`{{ evidence.url|http_url }}`: the URL when it is an http(s) link, else "".

Form and API validation already allow only http(s) links; this guards what reached the
database another way (a seed file, a restore) so a `javascript:` URL is never a link.
"""

from urllib.parse import urlsplit

from django import template

register = template.Library()


@register.filter
def http_url(value):
    value = (value or "").strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    return value if parts.scheme.lower() in {"http", "https"} and parts.netloc else ""
