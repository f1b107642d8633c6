from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from cities import city_figures
from cities.models import City, Office
from cities.transitions import next_transition
from criteria.models import Assessment, CriterionResponse


def city_list(request):
    cities = (
        City.objects.annotate(
            office_count=Count("offices", distinct=True),
            network_count=Count("network_memberships", distinct=True),
        )
        .order_by("region", "name")
    )
    sample_only = request.GET.get("sample") == "1"
    if sample_only:
        cities = cities.filter(in_report_sample=True)
    return render(
        request,
        "cities/city_list.html",
        {"cities": cities, "sample_only": sample_only, "title": _("Cities")},
    )


def _visible_assessments(request):
    # The draft rows make the page private to this user (never in a shared cache).
    if request.user.is_authenticated:
        request.ovp_private = True
    return Assessment.objects.visible_to(request.user).select_related(
        "office", "city", "round", "framework")


def city_detail(request, slug):
    city = get_object_or_404(
        City.objects.prefetch_related(
            "networks",
            Prefetch("offices", queryset=Office.objects.order_by("name")),
        ),
        slug=slug,
    )
    assessments = _visible_assessments(request).filter(city=city).order_by(
        "-round__opens_on", "office__name"
    )
    return render(
        request,
        "cities/city_detail.html",
        {"city": city, "assessments": assessments, "title": city.name,
         "figures": city_figures.figures_of(city)},
    )


def office_detail(request, slug):
    office = get_object_or_404(Office.objects.select_related("city"), slug=slug)
    visible = _visible_assessments(request).filter(office=office)
    latest = (
        visible.filter(status=Assessment.Status.PUBLISHED)
        .order_by("-published_at", "-round__opens_on")
        .select_related("profile")
        .prefetch_related(
            "profile__funding_sources",
            Prefetch(
                "responses",
                queryset=CriterionResponse.objects.select_related("criterion").prefetch_related(
                    "evidence"
                ),
            )
        )
        .first()
    )
    others = visible.exclude(pk=latest.pk) if latest else visible
    practices = office.good_practices.select_related("criterion")
    return render(
        request,
        "cities/office_detail.html",
        {
            "office": office,
            "assessment": latest,
            "other_assessments": others.order_by("-round__opens_on"),
            "practices": practices,
            "next_transition": next_transition(office),
            "title": office.name,
        },
    )

