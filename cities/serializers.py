"""API representations of places, offices, networks and outcome figures (read-only)."""

from rest_framework import serializers

from .models import City, ExchangeRate, IndicatorValue, Network, Office, Transition


class NetworkSerializer(serializers.ModelSerializer):
    cities = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Network
        fields = ["id", "slug", "name", "acronym", "founded_year", "description", "goal",
                  "goal_reduction_percent", "goal_baseline_year", "goal_target_year",
                  "goal_measure", "goal_source", "website", "source", "cities"]


class CitySerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code", read_only=True)
    networks = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    is_us = serializers.BooleanField(read_only=True)

    class Meta:
        model = City
        fields = ["id", "slug", "name", "country", "region", "is_us", "population",
                  "population_year", "population_source", "police_control", "in_report_sample",
                  "is_synthetic", "networks", "source"]


class OfficeSerializer(serializers.ModelSerializer):
    city_slug = serializers.SlugRelatedField(source="city", slug_field="slug", read_only=True)

    class Meta:
        model = Office
        fields = ["id", "slug", "name", "local_name", "city", "city_slug", "kind",
                  "institutional_location", "civilian_led", "founded_year", "status", "website",
                  "description", "budget_summary", "staff_summary", "staff_fte",
                  "funding_summary", "approach_summary", "prevention_primary",
                  "prevention_secondary", "prevention_tertiary", "staffing_model",
                  "staff_expertise", "focus_population", "is_synthetic", "source"]


class IndicatorSerializer(serializers.ModelSerializer):
    """A city figure as one row: the city, year, measure (`kind`), label and area of its
    series, and the value with its qualifier and source."""

    city = serializers.IntegerField(source="indicator.city_id", read_only=True)
    city_slug = serializers.CharField(source="indicator.city.slug", read_only=True)
    year = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(source="indicator.measure", read_only=True)
    label = serializers.CharField(source="indicator.name", read_only=True)
    area = serializers.CharField(source="indicator.area", read_only=True)

    class Meta:
        model = IndicatorValue
        fields = ["id", "city", "city_slug", "year", "kind", "label", "value", "qualifier",
                  "area", "source"]


class ExchangeRateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExchangeRate
        fields = ["id", "currency", "units_per_usd", "valid_on", "source"]


class TransitionSerializer(serializers.ModelSerializer):
    office_slug = serializers.SlugRelatedField(source="office", slug_field="slug",
                                               read_only=True)

    class Meta:
        model = Transition
        fields = ["id", "office", "office_slug", "kind", "year", "month", "note", "source",
                  "recorded_at"]
