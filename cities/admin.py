"""The admin for the secretariat, scoped to its networks (docs/access.md).

A secretariat sees and edits only its networks' cities, offices, figures and people. It
never grants anything here: memberships and network roles are read-only (members are added
on the office's members page), and so are a person's staff, superuser and group settings.
Cities join or leave a network only through a superuser. A superuser counts as the
secretariat of every network.
"""

from allauth.socialaccount.admin import SocialAccountAdmin, SocialAppAdmin, SocialTokenAdmin
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country

from .access import may_maintain_exchange_rates
from .currencies import TYPED_MAX_LENGTH, CurrencyInput, normalise_currency
from .models import (
    City,
    CityFigureSeries,
    ExchangeRate,
    IndicatorValue,
    Network,
    NetworkMembership,
    NetworkRole,
    Office,
    OfficeMembership,
    SsoConnection,
    User,
    people_managed_by,
    validate_not_future_year,
    year_end,
)


class ScopedAdminMixin:
    """Rows outside the user's networks do not exist for them here (the list, the change
    page, the autocomplete and every foreign-key choice), as in the product."""

    def scope(self, user, queryset):
        raise NotImplementedError

    def writable_scope(self, user, queryset):
        """What may be chosen as a foreign key on a form (defaults to what may be seen)."""
        return self.scope(user, queryset)

    def get_queryset(self, request):
        return self.scope(request.user, super().get_queryset(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = self.admin_site._registry.get(db_field.related_model)
        if isinstance(related, ScopedAdminMixin):
            kwargs["queryset"] = related.writable_scope(
                request.user, db_field.related_model._default_manager.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SuperuserWritesMixin:
    """Read-only unless a superuser: who holds which role is granted in the product."""

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


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


class OfficeMembershipInline(SuperuserWritesMixin, admin.TabularInline):
    model = OfficeMembership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["office", "user"]
    readonly_fields = ["invited_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).managed_by(request.user)


class OfficeMembersInline(OfficeMembershipInline):
    """The same memberships seen from the office (the user admin's inline is per person)."""

    fk_name = "office"


class NetworkRoleInline(SuperuserWritesMixin, admin.TabularInline):
    model = NetworkRole
    extra = 0
    autocomplete_fields = ["network", "user"]

    def get_queryset(self, request):
        return super().get_queryset(request).managed_by(request.user)


#: What a secretariat may change about one of its people; the rest is read-only to them.
SECRETARIAT_USER_FIELDS = {"first_name", "last_name", "preferred_language"}


@admin.register(User)
class UserAdmin(ScopedAdminMixin, BaseUserAdmin):
    inlines = [OfficeMembershipInline, NetworkRoleInline]
    list_display = ["username", "email", "first_name", "last_name", "is_staff", "is_active"]

    def scope(self, user, queryset):
        return queryset.filter(pk__in=people_managed_by(user).values("pk"))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        # Neither the password hash nor single permissions are anyone else's business.
        hidden = {"password", "user_permissions"}
        return [(title, {**opts, "fields": [f for f in opts["fields"] if f not in hidden]})
                for title, opts in fieldsets]

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        names = [f for _title, opts in self.get_fieldsets(request, obj) for f in opts["fields"]]
        return [f for f in names if f not in SECRETARIAT_USER_FIELDS]

    def has_add_permission(self, request):
        # People join through the office's members page (an invitation), not here.
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


class NetworkMembershipInline(SuperuserWritesMixin, admin.TabularInline):
    model = NetworkMembership
    extra = 0
    autocomplete_fields = ["city", "network"]


@admin.register(Network)
class NetworkAdmin(ScopedAdminMixin, admin.ModelAdmin):
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
        (_("Open data"), {
            "description": _("How the network's published, public assessments may be reused "
                             "(shown on the open-data page and cited in every export)."),
            "fields": ["data_licence"],
        }),
        (_("Sign-in"), {
            "description": _("Who must use two-step sign-in (an authenticator app or a "
                             "security key) in this network. Someone who has not set it up is "
                             "taken to its setup and can do nothing else until it is done."),
            "fields": ["require_mfa_secretariat", "require_mfa_editors"],
        }),
    ]

    def scope(self, user, queryset):
        return queryset.managed_by(user)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(NetworkMembership)
class NetworkMembershipAdmin(ScopedAdminMixin, SuperuserWritesMixin, admin.ModelAdmin):
    list_display = ["city", "network"]
    list_filter = ["network"]
    search_fields = ["city__name", "network__name"]
    autocomplete_fields = ["city", "network"]

    def scope(self, user, queryset):
        return queryset.managed_by(user)


class OfficeInline(admin.TabularInline):
    model = Office
    extra = 0
    fields = ["name", "kind", "institutional_location", "status", "founded_year"]
    show_change_link = True


class CityFigureValueForm(forms.ModelForm):
    """A yearly figure: typed as a year, stored under 31 December of it."""

    year = forms.IntegerField(label=_("year"), min_value=1900,
                              validators=[validate_not_future_year])
    value = forms.DecimalField(label=_("value"), min_value=0, max_digits=12, decimal_places=2)

    class Meta:
        model = IndicatorValue
        fields = ["year", "value", "qualifier", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].required = True
        if self.instance.pk:
            self.initial["year"] = self.instance.on.year

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("year"):
            self.instance.on = year_end(cleaned["year"])
        return cleaned


class CityFigureValueFormSet(forms.BaseInlineFormSet):
    """One figure per year: the table's unique (series, date) as a message, not a 500."""

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk or self._should_delete_form(form):
                continue
            year = form.cleaned_data.get("year")
            if year in seen:
                form.add_error("year", _("This series already has a figure for that year."))
            seen.add(year)


class CityFigureValueInline(admin.TabularInline):
    model = IndicatorValue
    form = CityFigureValueForm
    formset = CityFigureValueFormSet
    extra = 0


@admin.register(City)
class CityAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "country", "region", "police_control", "in_report_sample"]
    list_filter = ["region", CountryInUseFilter, "police_control", "in_report_sample", "networks"]
    search_fields = ["name", "country", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [NetworkMembershipInline, OfficeInline]

    def scope(self, user, queryset):
        return queryset.managed_by(user)

    def has_add_permission(self, request):
        # A new city belongs to no network, so only a superuser could ever see it again.
        return request.user.is_superuser and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(Office)
class OfficeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "city", "kind", "institutional_location", "status", "founded_year"]
    list_filter = ["status", "kind", "institutional_location", "city__region", OfficeCountryFilter]
    search_fields = ["name", "local_name", "city__name", "slug"]
    list_select_related = ["city"]
    autocomplete_fields = ["city"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OfficeMembersInline]
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

    def scope(self, user, queryset):
        return queryset.managed_by(user)


@admin.register(OfficeMembership)
class OfficeMembershipAdmin(ScopedAdminMixin, SuperuserWritesMixin, admin.ModelAdmin):
    list_display = ["user", "office", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "office__name"]
    list_select_related = ["user", "office__city"]
    autocomplete_fields = ["user", "office"]

    def scope(self, user, queryset):
        return queryset.managed_by(user)


@admin.register(NetworkRole)
class NetworkRoleAdmin(ScopedAdminMixin, SuperuserWritesMixin, admin.ModelAdmin):
    list_display = ["user", "network", "role", "created_at"]
    list_filter = ["role", "network"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user", "network"]
    autocomplete_fields = ["user", "network"]

    def scope(self, user, queryset):
        return queryset.managed_by(user)


@admin.register(CityFigureSeries)
class CityFigureSeriesAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """A city's outcome series and its yearly values (date: 31 December of the year)."""

    list_display = ["city", "measure", "name", "area"]
    list_filter = ["measure", "city__region", "city"]
    search_fields = ["city__name", "name", "values__source"]
    list_select_related = ["city"]
    autocomplete_fields = ["city"]
    fields = ["city", "measure", "name", "area"]
    inlines = [CityFigureValueInline]

    def scope(self, user, queryset):
        return queryset.figures_editable_by(user)


class ExchangeRateForm(forms.ModelForm):
    class Meta:
        model = ExchangeRate
        fields = ["currency", "units_per_usd", "valid_on", "source"]
        widgets = {"currency": CurrencyInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        currency = self.fields["currency"]
        currency.max_length = TYPED_MAX_LENGTH
        currency.validators = [v for v in currency.validators
                               if not isinstance(v, MaxLengthValidator)]

    def clean_currency(self):
        return normalise_currency(self.cleaned_data.get("currency"))


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """Shared by every network, like the framework: any secretariat keeps it (who may is
    `cities.access.may_maintain_exchange_rates`); everyone's comparisons read it."""

    form = ExchangeRateForm
    list_display = ["currency", "units_per_usd", "valid_on", "source", "updated_at"]
    list_filter = ["currency"]
    search_fields = ["currency", "source"]
    date_hierarchy = "valid_on"

    def has_add_permission(self, request):
        return super().has_add_permission(request) and may_maintain_exchange_rates(
            request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and may_maintain_exchange_rates(
            request.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and may_maintain_exchange_rates(
            request.user)


# --- single sign-on (docs/sso.md) -----------------------------------------------------------

admin.site.unregister(SocialApp)

# allauth registers SocialApp for everyone with the right permission; here a secretariat sees
# and adds only its networks' identity providers, each tied to one network and its email
# domains by the inline below. Accounts linked through a provider and their tokens are the
# superuser's business only.


class SsoConnectionInline(ScopedAdminMixin, admin.StackedInline):
    model = SsoConnection
    min_num = 1
    max_num = 1
    validate_min = True
    can_delete = False
    verbose_name = _("network and email domains")
    verbose_name_plural = _("network and email domains")
    fields = ["network", "email_domains", "trust_provider_emails"]

    def scope(self, user, queryset):
        return queryset.managed_by(user)


@admin.register(SocialApp)
class IdentityProviderAdmin(ScopedAdminMixin, SocialAppAdmin):
    inlines = [SsoConnectionInline]
    list_display = ["name", "provider", "network", "domains", "callback_url"]
    list_select_related = ["sso_connection__network"]
    readonly_fields = ["callback_url", "saml_metadata_url"]
    fieldsets = [
        (None, {
            "fields": ["provider", "name", "provider_id", "client_id", "secret", "settings"],
            "description": _(
                "OpenID Connect: provider “openid_connect”, a short ID such as palmira "
                "(it is part of the callback URL), the client ID and secret from your "
                "identity provider, and settings such as "
                "{\"server_url\": \"https://login.microsoftonline.com/<tenant>/v2.0\"}. "
                "SAML 2.0: provider “saml”, the short ID as client ID, and settings with "
                "the IdP's entity ID and metadata URL. docs/sso.md has every step."),
        }),
        (_("Give these to your identity provider"), {
            "fields": ["callback_url", "saml_metadata_url"],
            "description": _("They appear once this identity provider is saved."),
        }),
    ]

    def scope(self, user, queryset):
        if user.is_superuser:
            return queryset
        return queryset.filter(sso_connection__in=SsoConnection.objects.managed_by(user))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if obj is not None else fieldsets[:1]

    @admin.display(description=_("network"))
    def network(self, app):
        connection = getattr(app, "sso_connection", None)
        return connection.network.name if connection else "—"

    @admin.display(description=_("email domains"))
    def domains(self, app):
        connection = getattr(app, "sso_connection", None)
        return ", ".join(connection.domains) if connection else "—"

    @admin.display(description=_("callback URL (redirect URI / ACS URL)"))
    def callback_url(self, app):
        return sso_urls(app).get("callback", "—") if app and app.pk else "—"

    @admin.display(description=_("SAML service provider metadata URL"))
    def saml_metadata_url(self, app):
        return sso_urls(app).get("metadata", "—") if app and app.pk else "—"


def sso_urls(app):
    """The addresses an identity provider needs to know for `app`, on this site."""
    from django.conf import settings
    from django.urls import NoReverseMatch, reverse

    base = settings.SITE_URL.rstrip("/")
    try:
        if app.provider == "saml":
            return {
                "callback": base + reverse("saml_acs", args=[app.client_id]),
                "metadata": base + reverse("saml_metadata", args=[app.client_id]),
            }
        if app.provider == "openid_connect":
            return {"callback": base + reverse(
                "openid_connect_callback", kwargs={"provider_id": app.provider_id})}
    except NoReverseMatch:
        pass
    return {}


for _model in (SocialAccount, SocialToken):
    admin.site.unregister(_model)


@admin.register(SocialAccount)
class LinkedAccountAdmin(SuperuserWritesMixin, SocialAccountAdmin):
    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(SocialToken)
class ProviderTokenAdmin(SuperuserWritesMixin, SocialTokenAdmin):
    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser
