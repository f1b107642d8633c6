"""The good-practice library's one filter definition: the page, its downloads and
/api/good-practices/ all read their query string through `PracticeFilter`."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from cities.filtering import StrictFilterSet
from cities.models import City, Network, Office, Region
from cities.search import matching

from .models import Criterion, GoodPractice


def _criterion_choices():
    return [(str(n), str(n)) for n in Criterion.objects.filter(framework__is_default=True)
            .order_by("number").values_list("number", flat=True)]


@extend_schema_field(OpenApiTypes.STR)
class SlugsFilter(django_filters.ModelMultipleChoiceFilter):
    """Objects named by slug, any number of times (?network=a&network=b). The schema says
    "a string" (a slug): drf-spectacular cannot tell that from a path across a relation."""


class PracticeFilter(StrictFilterSet):
    q = django_filters.CharFilter(
        method="search", max_length=200, label=_("Words"),
        help_text=_("Words to find in the practice, its city or its office, in any of the "
                    "site's languages; accents and capitals do not matter."),
    )
    criterion = django_filters.TypedChoiceFilter(
        field_name="criterion__number", coerce=int, choices=_criterion_choices,
        label=_("Criterion"), help_text=_("A criterion number of the framework, e.g. 3."),
    )
    city = django_filters.ModelChoiceFilter(queryset=City.objects.all(), to_field_name="slug",
                                            label=_("City"))
    office = django_filters.ModelChoiceFilter(queryset=Office.objects.all(),
                                              to_field_name="slug", label=_("Office"))
    country = django_filters.MultipleChoiceFilter(field_name="city__country",
                                                  choices=list(countries), label=_("Country"))
    region = django_filters.MultipleChoiceFilter(field_name="city__region",
                                                 choices=Region.choices, label=_("Region"))
    network = SlugsFilter(
        field_name="city__networks__slug", queryset=Network.objects.all(), to_field_name="slug",
        label=_("Network"), distinct=True,
    )

    class Meta:
        model = GoodPractice
        fields = ["q", "criterion", "city", "office", "country", "region", "network"]

    def search(self, queryset, name, value):
        return queryset.filter(matching(value, "search_text", "city__search_text",
                                        "office__search_text"))


def library_practices():
    """Every practice of the default framework, in the library's order (no query yet)."""
    return GoodPractice.objects.select_related("criterion", "city", "office").filter(
        criterion__framework__is_default=True,
    ).order_by("criterion__number", "city__name", "title", "pk")
