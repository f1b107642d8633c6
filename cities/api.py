"""API views for places, offices, networks, outcome figures and exchange rates.

These are the public directory (the site shows them to everyone); synthetic rows are left
out unless `synthetic=include|only` asks for them.
"""

import django_filters
from django.db.models import F
from django.utils.translation import gettext_lazy
from django_countries import countries
from rest_framework import viewsets

from ovp_assess.api_support import positive_int

from . import city_figures
from .filtering import StrictFilterSet
from .models import (
    City,
    ExchangeRate,
    Indicator,
    IndicatorValue,
    InstitutionalLocation,
    Network,
    Office,
    Region,
    Transition,
)
from .search import matching
from .serializers import (
    CitySerializer,
    ExchangeRateSerializer,
    IndicatorSerializer,
    NetworkSerializer,
    OfficeSerializer,
    TransitionSerializer,
)

SYNTHETIC = [("exclude", gettext_lazy("Real data only")),
             ("include", gettext_lazy("Real and synthetic data")),
             ("only", gettext_lazy("Synthetic data only"))]


class SyntheticFilterSet(django_filters.FilterSet):
    synthetic = django_filters.ChoiceFilter(
        choices=SYNTHETIC, method="filter_synthetic", empty_label=None,
        label=gettext_lazy("Synthetic data"),
        help_text=gettext_lazy("Synthetic (generated) data is left out unless asked for."),
    )
    synthetic_field = "is_synthetic"

    def filter_queryset(self, queryset):
        # Applied even when the parameter is absent: real data only by default.
        if not self.form.cleaned_data.get("synthetic"):
            queryset = queryset.filter(**{self.synthetic_field: False})
        return super().filter_queryset(queryset)

    def filter_synthetic(self, queryset, name, value):
        if value == "include":
            return queryset
        return queryset.filter(**{self.synthetic_field: value == "only"})


class ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only; a malformed id is a 400 naming it, an unknown one a 404."""

    def get_object(self):
        lookup = self.lookup_url_kwarg or self.lookup_field
        if self.lookup_field == "pk":
            self.kwargs[lookup] = positive_int(self.kwargs[lookup], "id")
        return super().get_object()


class NetworkFilter(django_filters.FilterSet):
    slug = django_filters.CharFilter()

    class Meta:
        model = Network
        fields = ["slug"]


class NetworkViewSet(ScopedViewSet):
    """Networks and their member cities."""

    queryset = Network.objects.prefetch_related("cities").order_by("name")
    serializer_class = NetworkSerializer
    filterset_class = NetworkFilter
    ordering_fields = ["name", "slug", "founded_year"]


class CityFilter(SyntheticFilterSet):
    country = django_filters.CharFilter(field_name="country", lookup_expr="iexact",
                                        max_length=2)
    region = django_filters.ChoiceFilter(choices=Region.choices)
    network = django_filters.ModelChoiceFilter(
        field_name="networks", queryset=Network.objects.all(), to_field_name="slug"
    )
    in_report_sample = django_filters.BooleanFilter()

    class Meta:
        model = City
        fields = ["country", "region", "network", "in_report_sample", "synthetic"]


class CityViewSet(ScopedViewSet):
    """Cities, with the networks they belong to."""

    queryset = City.objects.prefetch_related("networks").order_by("name")
    serializer_class = CitySerializer
    filterset_class = CityFilter
    ordering_fields = ["name", "slug", "population", "country"]


class OfficeFilter(SyntheticFilterSet):
    city = django_filters.ModelChoiceFilter(queryset=City.objects.all(), to_field_name="slug")
    country = django_filters.CharFilter(field_name="city__country", lookup_expr="iexact",
                                        max_length=2)
    region = django_filters.ChoiceFilter(field_name="city__region", choices=Region.choices)
    institutional_location = django_filters.ChoiceFilter(choices=InstitutionalLocation.choices)
    status = django_filters.ChoiceFilter(choices=Office.Status.choices)
    network = django_filters.ModelChoiceFilter(
        field_name="city__networks", queryset=Network.objects.all(), to_field_name="slug"
    )

    class Meta:
        model = Office
        fields = ["city", "country", "region", "institutional_location", "status", "network",
                  "synthetic"]


class OfficeViewSet(ScopedViewSet):
    """Offices of violence prevention."""

    queryset = Office.objects.select_related("city").order_by("city__name", "name")
    serializer_class = OfficeSerializer
    filterset_class = OfficeFilter
    ordering_fields = ["name", "slug", "founded_year", "city__name"]


class IndicatorFilter(StrictFilterSet, SyntheticFilterSet):
    """The outcome figures' one filter definition: /outcomes/, its downloads and
    /api/indicators/ read their query string through it."""

    synthetic_field = "indicator__city__is_synthetic"
    q = django_filters.CharFilter(
        method="search", max_length=200, label=gettext_lazy("Words"),
        help_text=gettext_lazy("Words in the city's name; accents and capitals do not matter."),
    )
    city = django_filters.ModelChoiceFilter(field_name="indicator__city",
                                            queryset=City.objects.all(), to_field_name="slug",
                                            label=gettext_lazy("City"))
    country = django_filters.MultipleChoiceFilter(field_name="indicator__city__country",
                                                  choices=list(countries),
                                                  label=gettext_lazy("Country"))
    kind = django_filters.ChoiceFilter(field_name="indicator__measure",
                                       choices=Indicator.Measure.choices,
                                       label=gettext_lazy("Kind"),
                                       empty_label=gettext_lazy("Any kind"))
    year = django_filters.NumberFilter(field_name="on__year", min_value=1900, max_value=2100,
                                       label=gettext_lazy("Year"))
    year_min = django_filters.NumberFilter(field_name="on__year", lookup_expr="gte",
                                           min_value=1900, max_value=2100,
                                           label=gettext_lazy("From year"))
    year_max = django_filters.NumberFilter(field_name="on__year", lookup_expr="lte",
                                           min_value=1900, max_value=2100,
                                           label=gettext_lazy("Until year"))

    class Meta:
        model = IndicatorValue
        fields = ["q", "city", "country", "kind", "year", "year_min", "year_max", "synthetic"]

    def search(self, queryset, name, value):
        return queryset.filter(matching(value, "indicator__city__search_text"))


class IndicatorViewSet(ScopedViewSet):
    """The cities' outcome figures, one per city, measure and year (homicides, rates,
    others), each with its qualifier and source."""

    queryset = (city_figures.figures()
                .annotate(kind=F("indicator__measure"), city_name=F("indicator__city__name"))
                .order_by("indicator__city__name", "indicator__measure", "on"))
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    ordering_fields = ["year", "value", "city_name", "kind"]


class ExchangeRateFilter(django_filters.FilterSet):
    currency = django_filters.CharFilter(
        method="filter_currency", help_text=gettext_lazy("ISO 4217 code, e.g. COP."))
    valid_on_min = django_filters.DateFilter(field_name="valid_on", lookup_expr="gte")
    valid_on_max = django_filters.DateFilter(field_name="valid_on", lookup_expr="lte")

    class Meta:
        model = ExchangeRate
        fields = ["currency", "valid_on_min", "valid_on_max"]

    def filter_currency(self, queryset, name, value):
        return queryset.filter(currency=value.strip().upper())


class ExchangeRateViewSet(ScopedViewSet):
    """The dated exchange rates the secretariat keeps (units of a currency per US dollar, with
    the date and source); comparisons across offices convert budgets with them."""

    queryset = ExchangeRate.objects.order_by("currency", "-valid_on")
    serializer_class = ExchangeRateSerializer
    filterset_class = ExchangeRateFilter
    ordering_fields = ["currency", "valid_on"]


class TransitionFilter(StrictFilterSet):
    office = django_filters.CharFilter(field_name="office__slug",
                                       help_text=gettext_lazy("The office's slug."))
    upcoming = django_filters.BooleanFilter(
        method="filter_upcoming",
        help_text=gettext_lazy("true: only those not yet past; false: only past ones."))

    class Meta:
        model = Transition
        fields = ["office", "upcoming"]

    def filter_upcoming(self, queryset, name, value):
        ahead = Transition.objects.upcoming().values("pk")
        return queryset.filter(pk__in=ahead) if value else queryset.exclude(pk__in=ahead)


class TransitionViewSet(ScopedViewSet):
    """Elections and changes of administration ahead, as offices record them (public, like
    the offices); the transition memo names the next one."""

    queryset = Transition.objects.select_related("office").in_order()
    serializer_class = TransitionSerializer
    filterset_class = TransitionFilter
