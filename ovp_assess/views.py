from django.shortcuts import render
from django.utils.translation import gettext as _

from cities.models import City, Network, Office
from criteria.models import Assessment, Framework


def home(request):
    framework = Framework.objects.default()
    criteria = framework.criteria.all() if framework else []
    published = Assessment.objects.visible_to(request.user).published()
    featured = published.select_related("office", "city").order_by("-published_at", "city__name")

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
