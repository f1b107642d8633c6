from django.shortcuts import render
from django.utils.translation import gettext as _

from cities.models import City, Network, Office
from criteria.models import Assessment, Framework


def home(request):
    framework = Framework.objects.default()
    criteria = framework.criteria.all() if framework else []
    featured = (
        Assessment.objects.visible_to(request.user)
        .published()
        .select_related("office", "city")
        .order_by("city__name")[:8]
    )
    return render(
        request,
        "home.html",
        {
            "framework": framework,
            "criteria": criteria,
            "featured": featured,
            "network": Network.objects.filter(slug="pioc").first(),
            "city_count": City.objects.count(),
            "sample_count": City.objects.filter(in_report_sample=True).count(),
            "office_count": Office.objects.count(),
            "title": _("Home"),
        },
    )
