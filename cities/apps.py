"""cities: places, offices and networks, who belongs to them, and their outcome figures."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cities"
    verbose_name = _("Cities and offices")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import (
            Network,
            NetworkMembership,
            NetworkRole,
            Office,
            OfficeMembership,
            forget_roles,
        )

        # `roles_of` keeps a person's memberships on their user object; any change to one
        # makes every kept copy stale, as does one to what it carries along (an office's
        # slug, which networks require a second factor of whom).
        for model in (OfficeMembership, NetworkRole, Office, Network, NetworkMembership):
            post_save.connect(forget_roles, sender=model, dispatch_uid=f"roles-{model.__name__}")
            post_delete.connect(forget_roles, sender=model,
                                dispatch_uid=f"roles-gone-{model.__name__}")
