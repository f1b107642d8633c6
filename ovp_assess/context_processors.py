from django.utils.functional import SimpleLazyObject

from cities.access import navigation_for


def roles(request):
    """What the navigation needs to know about the signed-in user (two small queries, run
    only where the navigation is drawn). Who may use what is cities.access's decision."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    nav = SimpleLazyObject(lambda: navigation_for(user))
    # Callables and lazy objects: templates evaluate them only where the navigation is drawn.
    return {"nav": nav, "nav_is_secretariat": lambda: nav.is_secretariat,
            "nav_has_offices": lambda: nav.has_offices}
