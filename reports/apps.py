"""reports: turning assessment data into briefs, comparisons and exports."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from cities.models import (
            City,
            ExchangeRate,
            Indicator,
            IndicatorValue,
            Network,
            NetworkMembership,
            Office,
            ViolenceIndicator,
        )
        from criteria.models import (
            Action,
            Assessment,
            Criterion,
            CriterionTarget,
            Framework,
            GoodPractice,
            Round,
            RubricLevel,
            Tradeoff,
        )

        from . import brief_cache

        # What a stored published brief shows besides its own frozen assessment: any change
        # moves the generation in every stored brief's key (reports/brief_cache.py).
        for model in (City, Office, Network, NetworkMembership, ViolenceIndicator, Framework,
                      Criterion, RubricLevel, Tradeoff, GoodPractice, Round, Action,
                      CriterionTarget, ExchangeRate, Indicator, IndicatorValue):
            post_save.connect(brief_cache.bump_generation, sender=model,
                              dispatch_uid=f"brief-inputs-save-{model._meta.label}")
            post_delete.connect(brief_cache.bump_generation, sender=model,
                                dispatch_uid=f"brief-inputs-delete-{model._meta.label}")
        m2m_changed.connect(brief_cache.bump_generation, sender=Network.cities.through,
                            dispatch_uid="brief-inputs-network-cities")
        post_save.connect(brief_cache.bump_if_published, sender=Assessment,
                          dispatch_uid="brief-inputs-assessment-save")
        post_delete.connect(brief_cache.bump_if_published, sender=Assessment,
                            dispatch_uid="brief-inputs-assessment-delete")
