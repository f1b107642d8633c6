"""gunicorn settings for OVP Assess: `gunicorn -c ovp_assess/gunicorn.conf.py`.

Each value can be changed from the environment (GUNICORN_*), so one file serves one small
machine and a row of app servers behind a proxy (docs/deploy.md).
"""

import json
import multiprocessing
import os


def _int(name, default):
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw.strip() else default
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not a whole number.") from None


wsgi_app = "ovp_assess.wsgi:application"
# Behind a proxy on the same machine keep it on loopback; on an app server behind a load
# balancer set GUNICORN_BIND=0.0.0.0:8000 (and firewall the port to the balancer).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threads let a worker overlap database waits; PDFs are CPU-bound, so not too many.
worker_class = "gthread"
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
threads = _int("GUNICORN_THREADS", 4)
# A brief PDF takes about a second; give slow ones room but kill a stuck request.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so slow leaks (fonts, WeasyPrint caches) never pile up.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = 200
# Request line and headers are bounded here; bodies by the proxy (client_max_body_size) and
# by Django (DJANGO_MAX_REQUEST_BYTES) before any view reads them.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# The proxy sets X-Forwarded-*; trust it only from these addresses.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Load the app before forking: faster start, less memory, and a broken setting stops the
# master at once with Django's message naming the variable.
preload_app = True

# Logs: to stderr, access lines as JSON like the app's own (DJANGO_LOG_FORMAT=json).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = json.dumps({
    "time": "%(t)s", "logger": "gunicorn.access", "remote": "%(h)s", "method": "%(m)s",
    "path": "%(U)s", "query": "%(q)s", "status": "%(s)s", "bytes": "%(B)s",
    "duration_ms": "%(M)s", "user_agent": "%(a)s",
})


def post_fork(server, worker):
    # Connections opened while preloading must not be shared across forked workers.
    from django.db import connections

    connections.close_all()
