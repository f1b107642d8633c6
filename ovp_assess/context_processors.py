from django.utils.functional import SimpleLazyObject

from cities.access import navigation_for
from cities.models import NetworkRole, OfficeMembership


def roles(request):
    """What the navigation needs to know about the signed-in user (a few small queries, run
    only where the navigation is drawn). Who may use what is cities.access's decision."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def is_secretariat():
        return NetworkRole.objects.filter(user=user, role=NetworkRole.Role.SECRETARIAT).exists()

    def has_offices():
        return OfficeMembership.objects.filter(user=user).exists()

    # Callables and lazy objects: templates evaluate them only where the navigation is drawn.
    return {"nav_is_secretariat": is_secretariat, "nav_has_offices": has_offices,
            "nav": SimpleLazyObject(lambda: navigation_for(user))}
