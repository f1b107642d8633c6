from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from cities.access import landing_for
from cities.models import City, Network, Office, OfficeMembership
from criteria.models import Assessment, Framework
from criteria.work import your_work


def home(request):
    """The public front page; for a signed-in editor (or lead), "Your work"."""
    user = request.user
    if user.is_authenticated and OfficeMembership.objects.filter(
            user=user, role__in=OfficeMembership.EDITING_ROLES).exists():
        request.ovp_private = True
        return render(request, "your_work.html",
                      {"work": your_work(user), "title": _("Your work")})
    framework = Framework.objects.default()
    criteria = framework.criteria.all() if framework else []
    published = Assessment.objects.visible_to(request.user).published()
    featured = published.select_related("office", "city", "round").order_by(
        "-published_at", "city__name")

    return render(
        request,
        "home.html",
        {
            "framework": framework,
            "criteria": criteria,
            "featured": featured[:10],
            "published_count": published.count(),
            "network": Network.objects.filter(slug="pioc").first(),
            "city_count": City.objects.count(),
            "sample_count": City.objects.filter(in_report_sample=True).count(),
            "office_count": Office.objects.count(),
            "title": _("Home"),
        },
    )


@login_required
def start(request):
    """Where signing in lands (LOGIN_REDIRECT_URL): each role's usual first page."""
    return redirect(landing_for(request.user))


def accessibility(request):
    """The accessibility statement: standard, last check, known limitations, how to report."""
    return render(request, "accessibility.html", {
        "standard": "WCAG 2.1 AA",
        "checked_on": settings.ACCESSIBILITY_CHECKED_ON,
        "contact": settings.ACCESSIBILITY_CONTACT,
        "title": _("Accessibility statement"),
    })


@require_POST
def set_language(request):
    """Django's language switch, also remembered on the account of a signed-in user."""
    response = django_set_language(request)
    code = request.POST.get("language", "")
    if (
        request.user.is_authenticated
        and code in dict(settings.LANGUAGES)
        and check_for_language(code)
        and request.user.preferred_language != code
    ):
        request.user.preferred_language = code
        request.user.save(update_fields=["preferred_language"])
    return response
