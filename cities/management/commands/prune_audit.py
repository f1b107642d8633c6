"""Delete audit events older than DJANGO_AUDIT_RETENTION_DAYS (the worker also does it)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from cities import audit


class Command(BaseCommand):
    help = "Delete audit-trail events older than the retention (DJANGO_AUDIT_RETENTION_DAYS)."

    def handle(self, **options):
        deleted = audit.prune()
        self.stdout.write(f"Deleted {deleted} audit events older than "
                          f"{settings.AUDIT_RETENTION_DAYS} days.")
