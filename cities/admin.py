from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country

from .models import (
    City,
    Network,
    NetworkMembership,
    NetworkRole,
    Office,
    OfficeMembership,
    User,
    ViolenceIndicator,
)


class CountryInUseFilter(admin.SimpleListFilter):
    """Only the countries that have cities, not all 249 of ISO 3166."""

    title = _("country")
    parameter_name = "country"
    city_path = "country"

    def lookups(self, request, model_admin):
        codes = (
            City.objects.order_by().values_list("country", flat=True).distinct()
        )
        return sorted(((code, Country(code).name) for code in codes), key=lambda c: str(c[1]))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.city_path: self.value()})
        return queryset


class OfficeCountryFilter(CountryInUseFilter):
    city_path = "city__country"


class OfficeMembershipInline(admin.TabularInline):
    model = OfficeMembership
    extra = 0
    autocomplete_fields = ["office", "user"]


class NetworkRoleInline(admin.TabularInline):
    model = NetworkRole
    extra = 0
    autocomplete_fields = ["network", "user"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [OfficeMembershipInline, NetworkRoleInline]
    list_display = ["username", "email", "first_name", "last_name", "is_staff", "is_active"]


class NetworkMembershipInline(admin.TabularInline):
    model = NetworkMembership
    extra = 0
    autocomplete_fields = ["city", "network"]


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "founded_year", "goal_reduction_percent",
                    "goal_baseline_year", "goal_target_year"]
    search_fields = ["name", "acronym"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [NetworkMembershipInline, NetworkRoleInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "acronym", "founded_year", "website", "description",
                           "source"]}),
        (_("Goal"), {
            "description": _("The reduction every member city's figures are measured against. "
                             "Give the reduction, the baseline year and the target year "
                             "together, or none of them."),
            "fields": ["goal", "goal_reduction_percent", "goal_baseline_year",
                       "goal_target_year", "goal_measure", "goal_source"],
        }),
    ]


@admin.register(NetworkMembership)
class NetworkMembershipAdmin(admin.ModelAdmin):
    list_display = ["city", "network"]
    list_filter = ["network"]
    search_fields = ["city__name", "network__name"]
    autocomplete_fields = ["city", "network"]


class OfficeInline(admin.TabularInline):
    model = Office
    extra = 0
    fields = ["name", "kind", "institutional_location", "status", "founded_year"]
    show_change_link = True


class ViolenceIndicatorInline(admin.TabularInline):
    model = ViolenceIndicator
    extra = 0


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "region", "police_control", "in_report_sample"]
    list_filter = ["region", CountryInUseFilter, "police_control", "in_report_sample", "networks"]
    search_fields = ["name", "country", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [NetworkMembershipInline, OfficeInline, ViolenceIndicatorInline]


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "kind", "institutional_location", "status", "founded_year"]
    list_filter = ["status", "kind", "institutional_location", "city__region", OfficeCountryFilter]
    search_fields = ["name", "local_name", "city__name", "slug"]
    list_select_related = ["city"]
    autocomplete_fields = ["city"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OfficeMembershipInline]
    fieldsets = [
        (None, {"fields": ["city", "name", "slug", "local_name", "kind", "status", "website",
                           "description"]}),
        (_("Institution"), {"fields": ["institutional_location", "civilian_led",
                                       "founded_year"]}),
        (_("As reported"), {"fields": [
            "budget_summary", "funding_summary", "staff_summary", "staff_fte",
            "staffing_model", "staff_expertise", "approach_summary", "prevention_primary",
            "prevention_secondary", "prevention_tertiary", "focus_population", "source",
        ]}),
    ]


@admin.register(OfficeMembership)
class OfficeMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "office", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "office__name"]
    list_select_related = ["user", "office__city"]
    autocomplete_fields = ["user", "office"]


@admin.register(NetworkRole)
class NetworkRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "network", "role", "created_at"]
    list_filter = ["role", "network"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user", "network"]
    autocomplete_fields = ["user", "network"]


@admin.register(ViolenceIndicator)
class ViolenceIndicatorAdmin(admin.ModelAdmin):
    list_display = ["city", "year", "kind", "qualifier", "value", "area"]
    list_filter = ["kind", "city__region", "city"]
    search_fields = ["city__name", "source", "label"]
    list_select_related = ["city"]
    autocomplete_fields = ["city"]
