"""reports: turning assessment data into briefs, comparisons and exports."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from django.apps import apps
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from cities.models import Network
        from criteria.models import Assessment

        from . import brief_cache

        # What a stored published brief shows besides its own frozen assessment: any change
        # moves the generation in every stored brief's key (reports/brief_cache.py).
        for label in brief_cache.BRIEF_INPUT_MODELS:
            model = apps.get_model(label)
            post_save.connect(brief_cache.bump_generation, sender=model,
                              dispatch_uid=f"brief-inputs-save-{label}")
            post_delete.connect(brief_cache.bump_generation, sender=model,
                                dispatch_uid=f"brief-inputs-delete-{label}")
        m2m_changed.connect(brief_cache.bump_generation, sender=Network.cities.through,
                            dispatch_uid="brief-inputs-network-cities")
        post_save.connect(brief_cache.bump_if_published, sender=Assessment,
                          dispatch_uid="brief-inputs-assessment-save")
        post_delete.connect(brief_cache.bump_if_published, sender=Assessment,
                            dispatch_uid="brief-inputs-assessment-delete")
