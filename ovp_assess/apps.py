"""Project-wide wiring: the security log's, audit trail's and accounts' signal receivers."""

from django.apps import AppConfig


class OvpAssessConfig(AppConfig):
    name = "ovp_assess"
    verbose_name = "OVP Assess"

    def ready(self):
        from . import logging as security_logging

        security_logging.connect_signals()

        from cities import audit

        audit.connect_signals()

        from . import accounts

        accounts.connect_signals()
