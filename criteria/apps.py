"""criteria: the framework (criteria, rubric, tradeoffs, practices) and scoring against it."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CriteriaConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "criteria"
    verbose_name = _("Framework and assessments")
