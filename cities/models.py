import calendar
import hashlib
import re
import secrets
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from ovp_assess.prepared import PreparedQuery

from .currencies import validate_currency
from .search import Searchable, country_names, translated_values


class Region(models.TextChoices):
    LATIN_AMERICA_CARIBBEAN = "latin_america_caribbean", _("Latin America and the Caribbean")
    NORTH_AMERICA = "north_america", _("North America")
    EUROPE = "europe", _("Europe")
    AFRICA = "africa", _("Africa")
    ASIA_PACIFIC = "asia_pacific", _("Asia and the Pacific")
    MIDDLE_EAST = "middle_east", _("Middle East")


class PoliceControl(models.TextChoices):
    MUNICIPAL = "municipal", _("Municipal (the city's own police)")
    STATE_PROVINCIAL = "state_provincial", _("State or provincial")
    NATIONAL = "national", _("National")
    MIXED = "mixed", _("Mixed")
    UNKNOWN = "unknown", _("Not known")


class InstitutionalLocation(models.TextChoices):
    MAYORS_OFFICE = "mayors_office", _("Mayor's office")
    CITY_DEPARTMENT = "city_department", _("City department")
    PUBLIC_HEALTH = "public_health", _("Public health")
    INDEPENDENT_COUNCIL = "independent_council", _("Independent council")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    MIXED = "mixed", _("Mixed (public and civil society)")
    UNKNOWN = "unknown", _("Not known")


class StaffingModel(models.TextChoices):
    IN_HOUSE = "in_house", _("In-house")
    OUTSOURCED = "outsourced", _("Outsourced to partners")
    MIXED = "mixed", _("Mixed")
    UNKNOWN = "unknown", _("Not known")


class StaffExpertise(models.TextChoices):
    SPECIALISTS = "specialists", _("Mostly specialists")
    GENERALISTS = "generalists", _("Mostly generalists")
    BOTH = "both", _("Both")
    UNKNOWN = "unknown", _("Not known")


def validate_not_future_year(value):
    if value is not None and value > timezone.now().year:
        raise ValidationError(
            _("%(year)s is in the future."), params={"year": value}, code="future_year"
        )


class User(AbstractUser):
    """A person who signs in. Roles come from office memberships and network roles."""

    preferred_language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True,
        help_text=_("The interface language; empty follows the browser."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self):
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        # set_password() keeps the new raw password until the save; a new password (changed,
        # reset, or set in the admin) revokes every API token, as it ends other sessions.
        password_changed = self.pk is not None and self._password is not None
        super().save(*args, **kwargs)
        if password_changed:
            self.api_tokens.all().delete()


def _token_digest(key):
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        now = timezone.now()
        return self.filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))

    def for_key(self, key):
        """The token whose key is `key`; only its SHA-256 digest is stored."""
        return self.filter(digest=_token_digest(key))


class ApiToken(models.Model):
    """A key for the API. The key itself is shown once and stored only as a digest.

    A key is 32 random bytes, so a plain SHA-256 digest is enough: there is nothing to guess
    that a slow hash would protect.
    """

    PREFIX = "ovp_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    # The first characters of the key, to tell tokens apart on the page; not enough to use it.
    hint = models.CharField(_("starts with"), max_length=16)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, *, user, name, expires_at=None):
        """Create a token; returns (token, key). Only the digest of the key is stored."""
        key = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, expires_at=expires_at, hint=key[: len(cls.PREFIX) + 6],
            digest=_token_digest(key),
        )
        return token, key

    @property
    def expired(self):
        return self.expires_at is not None and self.expires_at <= timezone.now()


class PasswordResetRequest(models.Model):
    """One request for a password-reset mail, counted to throttle them (ovp_assess/signin.py).

    The email is kept only as a digest: enough to count requests for one address.
    """

    address = models.GenericIPAddressField(_("from address"), null=True)
    email_digest = models.CharField(max_length=64, db_index=True)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("password-reset request")
        verbose_name_plural = _("password-reset requests")

    def __str__(self):
        return f"{self.address} {self.requested_at:%Y-%m-%d %H:%M}"


# --- who may manage what -------------------------------------------------------------------
# The rules about roles live here and in criteria.models' querysets; docs/access.md has the
# table. A superuser counts as the secretariat of every network (and nothing more: they are
# not an office's editor unless they are one).


class Roles:
    """One person's office memberships and network roles, read in one query and kept on
    their user object: a request asks "who is this?" of the access rules, the navigation,
    the two-step sign-in check and the stored-brief key many times, and the answer is the
    same each time. A change to any membership or role in this process (`forget_roles`)
    makes every kept answer stale, so a test or a view that changes roles and asks again
    sees the change; other processes hold user objects for one request only."""

    __slots__ = ("offices", "networks", "mfa_required")

    def __init__(self, offices=(), networks=(), *, mfa_required=False):
        self.offices = tuple(offices)  # (office id, role, office slug)
        self.networks = tuple(networks)  # (network id, role)
        # Does one of their networks require a second factor of them? Of its secretariat,
        # or of the editors of its cities' offices (`Network.require_mfa_*`).
        self.mfa_required = mfa_required

    def office_ids(self, roles=None) -> list[int]:
        return [pk for pk, role, _slug in self.offices if roles is None or role in roles]

    def office_role(self, office_id) -> str | None:
        return next((role for pk, role, _slug in self.offices if pk == office_id), None)

    def network_ids(self, role) -> list[int]:
        return [pk for pk, held in self.networks if held == role]


_roles_generation = [0]


def forget_roles(**_kwargs) -> None:
    """A membership or role changed: every `Roles` kept on a user object is read again."""
    _roles_generation[0] += 1


def forget_kept_roles(user) -> None:
    """The next `roles_of(user)` reads them from the database (a write's re-check under its
    lock must not trust what the request read before)."""
    if hasattr(user, "_ovp_roles"):
        del user._ovp_roles


def _roles_query(user_id):
    offices = OfficeMembership.objects.filter(user_id=user_id).values_list(
        models.Value("office"), "office_id", "role", "office__slug",
        models.Exists(NetworkMembership.objects.filter(
            city=models.OuterRef("office__city"), network__require_mfa_editors=True)))
    networks = NetworkRole.objects.filter(user_id=user_id).values_list(
        models.Value("network"), "network_id", "role", models.Value(""),
        "network__require_mfa_secretariat")
    return offices.union(networks, all=True)


#: Every signed-in request asks it: compiled once (ovp_assess/prepared.py). Its booleans come
#: as the driver gives them (1/0 on SQLite), which `Roles` only ever tests for truth.
_ROLES = PreparedQuery(_roles_query)


def roles_of(user) -> Roles:
    """`user`'s memberships and roles (empty for an anonymous visitor); one query, once."""
    if not user.is_authenticated:
        return Roles()
    generation = _roles_generation[0]
    kept = getattr(user, "_ovp_roles", None)
    if kept is not None and kept[0] == generation:
        return kept[1]
    rows = _ROLES.rows(user.pk)
    roles = Roles(
        offices=[(pk, role, slug) for kind, pk, role, slug, _ in rows if kind == "office"],
        networks=[(pk, role) for kind, pk, role, _, _ in rows if kind == "network"],
        mfa_required=any(
            mfa and (role in OfficeMembership.EDITING_ROLES if kind == "office"
                     else role == NetworkRole.Role.SECRETARIAT)
            for kind, _pk, role, _slug, mfa in rows),
    )
    user._ovp_roles = (generation, roles)
    return roles


def _secretariat_networks(user):
    """Network ids `user` is secretariat of: a list, or a subquery of every network for a
    superuser."""
    if user.is_superuser:
        return Network.objects.values("pk")
    return roles_of(user).network_ids(NetworkRole.Role.SECRETARIAT)


class NetworkQuerySet(models.QuerySet):
    def with_goal(self):
        """Networks that record a measurable goal (reduction, baseline and target year)."""
        return self.filter(goal_reduction_percent__isnull=False)

    def managed_by(self, user):
        """Networks whose secretariat `user` is."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(pk__in=_secretariat_networks(user))


class DataLicence(models.TextChoices):
    """Licences a network may publish its open data under (docs/research.md)."""

    CC_BY_4 = "CC-BY-4.0", _("Creative Commons Attribution 4.0 (CC BY 4.0)")
    CC_BY_SA_4 = "CC-BY-SA-4.0", _("Creative Commons Attribution-ShareAlike 4.0 (CC BY-SA 4.0)")
    CC0_1 = "CC0-1.0", _("Creative Commons Zero 1.0 (public domain dedication)")
    ODBL_1 = "ODbL-1.0", _("Open Data Commons Open Database License 1.0 (ODbL)")

    @classmethod
    def url(cls, code):
        return {
            cls.CC_BY_4: "https://creativecommons.org/licenses/by/4.0/",
            cls.CC_BY_SA_4: "https://creativecommons.org/licenses/by-sa/4.0/",
            cls.CC0_1: "https://creativecommons.org/publicdomain/zero/1.0/",
            cls.ODBL_1: "https://opendatacommons.org/licenses/odbl/1-0/",
        }.get(code, "")


class Network(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=20, blank=True)
    founded_year = models.PositiveSmallIntegerField(
        _("founded"), null=True, blank=True, validators=[validate_not_future_year]
    )
    description = models.TextField(_("description"), blank=True)
    goal = models.TextField(_("goal"), blank=True)
    # The goal as data, so every chart and status measures a city the same way (cities/goals.py):
    # reduce what `goal_measure` names by `goal_reduction_percent` from its level in
    # `goal_baseline_year` by `goal_target_year`. All three numbers or none.
    goal_reduction_percent = models.PositiveSmallIntegerField(
        _("goal: reduction (%)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("e.g. 50 for halving."),
    )
    goal_baseline_year = models.PositiveSmallIntegerField(
        _("goal: baseline year"), null=True, blank=True, validators=[MinValueValidator(1900)],
        help_text=_("The year the reduction is measured from. Figures from before it never "
                    "serve as the starting point."),
    )
    goal_target_year = models.PositiveSmallIntegerField(
        _("goal: target year"), null=True, blank=True, validators=[MinValueValidator(1900)]
    )
    goal_measure = models.TextField(
        _("goal: what it measures"), blank=True,
        help_text=_("What the goal reduces, in the source's terms, and how a city's figures "
                    "stand for it."),
    )
    goal_source = models.TextField(_("goal: source"), blank=True)
    website = models.URLField(_("website"), blank=True)
    source = models.TextField(_("source"), blank=True)
    data_licence = models.CharField(
        _("open data licence"), max_length=20, choices=DataLicence.choices,
        default=DataLicence.CC_BY_4,
        help_text=_("The licence the network's published, public assessments are offered "
                    "under on the open-data page and in every export."),
    )
    # Multi-factor sign-in (docs/accounts.md): who must have a second factor to use the site.
    require_mfa_secretariat = models.BooleanField(
        _("require two-step sign-in for the secretariat"), default=False,
        help_text=_("The network's secretariat must set up an authenticator app or a security "
                    "key before they can do anything else."),
    )
    require_mfa_editors = models.BooleanField(
        _("require two-step sign-in for office editors"), default=False,
        help_text=_("Editors of the member cities' offices must set up an authenticator app "
                    "or a security key before they can do anything else."),
    )
    cities = models.ManyToManyField(
        "City", through="NetworkMembership", related_name="networks", verbose_name=_("cities")
    )

    objects = NetworkQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(goal_reduction_percent__isnull=True, goal_baseline_year__isnull=True,
                      goal_target_year__isnull=True)
                    | Q(goal_reduction_percent__isnull=False, goal_baseline_year__isnull=False,
                        goal_target_year__isnull=False)
                ),
                name="network_goal_all_or_none",
            ),
            models.CheckConstraint(
                condition=Q(goal_reduction_percent__isnull=True)
                | Q(goal_reduction_percent__gte=1, goal_reduction_percent__lte=100),
                name="network_goal_reduction_1_to_100",
            ),
            models.CheckConstraint(
                condition=Q(goal_baseline_year__isnull=True)
                | Q(goal_target_year__gt=models.F("goal_baseline_year")),
                name="network_goal_target_after_baseline",
            ),
        ]

    def __str__(self):
        return self.acronym or self.name

    def clean(self):
        super().clean()
        numbers = {
            "goal_reduction_percent": self.goal_reduction_percent,
            "goal_baseline_year": self.goal_baseline_year,
            "goal_target_year": self.goal_target_year,
        }
        given = {k for k, v in numbers.items() if v is not None}
        if given and len(given) < len(numbers):
            raise ValidationError({
                k: _("Give the reduction, the baseline year and the target year together, "
                     "or none of them.") for k in numbers.keys() - given
            })
        if given and self.goal_target_year <= self.goal_baseline_year:
            raise ValidationError({"goal_target_year": _("The target year must come after the "
                                                         "baseline year.")})

    @property
    def has_goal(self):
        return self.goal_reduction_percent is not None


class CityQuerySet(models.QuerySet):
    def in_sample(self):
        return self.filter(in_report_sample=True)

    def managed_by(self, user):
        """Cities of the networks `user` is secretariat of: they review their assessments,
        manage their offices' members and enter their outcome figures."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(pk__in=NetworkMembership.objects.filter(
            network__in=_secretariat_networks(user)).values("city_id"))

    def researched_by(self, user):
        """Cities of the networks `user` is a researcher of (their published assessments)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(pk__in=NetworkMembership.objects.filter(
            network__in=roles_of(user).network_ids(NetworkRole.Role.RESEARCHER),
        ).values("city_id"))


_LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class City(Searchable):
    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    country = CountryField(_("country"))
    region = models.CharField(_("region"), max_length=32, choices=Region.choices)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(
        _("population year"), null=True, blank=True, validators=[validate_not_future_year]
    )
    population_source = models.TextField(_("population source"), blank=True)
    police_control = models.CharField(
        _("police controlled by"),
        max_length=20,
        choices=PoliceControl.choices,
        default=PoliceControl.UNKNOWN,
        help_text=_("Which level of government the police answer to."),
    )
    police_control_source = models.TextField(_("police control source"), blank=True)
    in_report_sample = models.BooleanField(
        _("in the PiOC 2024 sample"),
        default=False,
        help_text=_("One of the 18 cities analysed in the report's appendix."),
    )
    context = models.TextField(_("context"), blank=True)
    source = models.TextField(_("source"), blank=True)
    # Made up by `generate_synthetic` for scale tests: never mixed into real figures unless
    # a reader asks for it.
    is_synthetic = models.BooleanField(_("synthetic (generated test data)"), default=False)

    objects = CityQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")

    def __str__(self):
        return f"{self.name} ({self.country.code})"

    def search_document(self):
        # The country's name in every interface language: "Brasil" finds Brazil's cities.
        return [self.name, self.slug.replace("-", " "), *country_names(self.country)]

    def get_absolute_url(self):
        return reverse("cities:city-detail", kwargs={"slug": self.slug})

    @property
    def is_us(self):
        return self.country == "US"


class NetworkMembershipQuerySet(models.QuerySet):
    def managed_by(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(network__in=_secretariat_networks(user))


class NetworkMembership(models.Model):
    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("network")
    )
    city = models.ForeignKey(
        City, on_delete=models.CASCADE, related_name="network_memberships", verbose_name=_("city")
    )
    source = models.TextField(_("source"), blank=True)

    objects = NetworkMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("network member city")
        verbose_name_plural = _("network member cities")
        constraints = [
            models.UniqueConstraint(fields=["network", "city"], name="unique_network_city"),
        ]

    def __str__(self):
        return f"{self.city.name} in {self.network}"


class OfficeQuerySet(models.QuerySet):
    def managed_by(self, user):
        """Offices in the cities `user` manages as secretariat."""
        return self.filter(city__in=City.objects.managed_by(user).values("pk"))

    def editable_by(self, user):
        """Offices `user` is an editor (or lead) of: they start and fill in its assessments."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(pk__in=OfficeMembership.objects.filter(
            user=user, role__in=OfficeMembership.EDITING_ROLES).values("office_id"))

    def led_by(self, user):
        """Offices `user` is a lead of."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(pk__in=OfficeMembership.objects.filter(
            user=user, role=OfficeMembership.Role.LEAD).values("office_id"))

    def members_managed_by(self, user):
        """Offices whose members `user` manages: the secretariat's offices and their own as
        lead (their members page)."""
        return self.filter(Q(pk__in=self.managed_by(user).values("pk"))
                           | Q(pk__in=self.led_by(user).values("pk")))


class Office(Searchable):
    class Kind(models.TextChoices):
        OFFICE = "office", _("Office")
        DEPARTMENT = "department", _("Department")
        SECRETARIAT = "secretariat", _("Secretariat")
        DIRECTORATE = "directorate", _("Directorate")
        UNIT = "unit", _("Unit")
        COUNCIL = "council", _("Council")
        COALITION = "coalition", _("Coalition")
        SERVICE = "service", _("Service")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PLANNED = "planned", _("Planned")
        CLOSED = "closed", _("Closed")

    slug = models.SlugField(_("slug"), unique=True)
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="offices", verbose_name=_("city")
    )
    name = models.CharField(_("name"), max_length=255)
    local_name = models.CharField(
        _("name in the local language"), max_length=255, blank=True,
        help_text=_("As the office writes it in the city's language, e.g. “Secretaría de Paz y "
                    "Cultura Ciudadana”; never an English alias. Leave empty if not known."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OFFICE)
    institutional_location = models.CharField(
        _("institutional location"),
        max_length=32,
        choices=InstitutionalLocation.choices,
        default=InstitutionalLocation.UNKNOWN,
    )
    civilian_led = models.BooleanField(_("civilian-led"), null=True, blank=True)
    founded_year = models.PositiveSmallIntegerField(
        _("founded"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), validate_not_future_year],
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    # What the PiOC report (or another source) says of the office, before any self-assessment.
    budget_summary = models.TextField(_("budget (as reported)"), blank=True)
    staff_summary = models.TextField(_("staff (as reported)"), blank=True)
    staff_fte = models.DecimalField(
        _("full-time staff (as reported)"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    funding_summary = models.TextField(_("funding (as reported)"), blank=True)
    approach_summary = models.TextField(_("prevention approach (as reported)"), blank=True)
    prevention_primary = models.BooleanField(_("primary prevention"), null=True, blank=True)
    prevention_secondary = models.BooleanField(_("secondary prevention"), null=True, blank=True)
    prevention_tertiary = models.BooleanField(_("tertiary prevention"), null=True, blank=True)
    staffing_model = models.CharField(
        _("staffing model"),
        max_length=12,
        choices=StaffingModel.choices,
        default=StaffingModel.UNKNOWN,
    )
    staff_expertise = models.CharField(
        _("specialists or generalists"),
        max_length=12,
        choices=StaffExpertise.choices,
        default=StaffExpertise.UNKNOWN,
    )
    focus_population = models.TextField(_("focus population"), blank=True)
    source = models.TextField(_("source"), blank=True)
    is_synthetic = models.BooleanField(_("synthetic (generated test data)"), default=False)

    objects = OfficeQuerySet.as_manager()

    class Meta:
        ordering = ["city__name", "name"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        constraints = [
            models.CheckConstraint(
                condition=Q(staff_fte__isnull=True) | Q(staff_fte__gte=0),
                name="office_staff_fte_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.name} — {self.city.name}"

    def search_document(self):
        return [*translated_values(self, "name", _LANGUAGE_CODES), self.local_name,
                self.slug.replace("-", " ")]

    def get_absolute_url(self):
        return reverse("cities:office-detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if self.local_name and self.local_name.strip().casefold() == self.name.strip().casefold():
            raise ValidationError({"local_name": _(
                "The name in the local language repeats the name; leave it empty instead."
            )})

    def prevention_approaches(self):
        """The prevention levels the office is known to work at, in order."""
        labels = [
            (self.prevention_primary, _("primary")),
            (self.prevention_secondary, _("secondary")),
            (self.prevention_tertiary, _("tertiary")),
        ]
        return [label for flag, label in labels if flag]


class OfficeMembershipQuerySet(models.QuerySet):
    def managed_by(self, user):
        """Memberships of the offices `user` manages as secretariat (the admin's scope)."""
        return self.filter(office__in=Office.objects.managed_by(user).values("pk"))

    def invitations_sent_by(self, user):
        """Memberships `user` added for someone who has not signed in yet (a pending
        invitation: the person still has to set a password through the emailed link)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(invited_by=user, user__last_login__isnull=True)


class OfficeMembership(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        EDITOR = "editor", _("Editor")
        VIEWER = "viewer", _("Viewer")

    # A lead is an editor of their office who also manages its members.
    EDITING_ROLES = (Role.LEAD, Role.EDITOR)

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="office_memberships", verbose_name=_("user")
    )
    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("office")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("invited by"),
    )

    objects = OfficeMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("office membership")
        verbose_name_plural = _("office memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "office"], name="unique_office_membership"),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} of {self.office.name}"


class NetworkRoleQuerySet(models.QuerySet):
    def managed_by(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(network__in=_secretariat_networks(user))


class NetworkRole(models.Model):
    class Role(models.TextChoices):
        SECRETARIAT = "secretariat", _("Secretariat")
        RESEARCHER = "researcher", _("Researcher")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="network_roles", verbose_name=_("user")
    )
    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="roles", verbose_name=_("network")
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    objects = NetworkRoleQuerySet.as_manager()

    class Meta:
        verbose_name = _("network role")
        verbose_name_plural = _("network roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "network", "role"], name="unique_network_role"
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} of {self.network}"


def people_managed_by(user):
    """The people of `user`'s networks: members of their cities' offices and holders of a
    role in their networks. Superusers are never in anyone else's set."""
    if not user.is_authenticated:
        return User.objects.none()
    if user.is_superuser:
        return User.objects.all()
    offices = Office.objects.managed_by(user).values("pk")
    networks = _secretariat_networks(user)
    return User.objects.filter(
        Q(pk__in=OfficeMembership.objects.filter(office__in=offices).values("user_id"))
        | Q(pk__in=NetworkRole.objects.filter(network__in=networks).values("user_id"))
    ).exclude(is_superuser=True)


class Qualifier(models.TextChoices):
    """How exactly a source gives a figure: "under 15" is not 15."""

    EXACT = "exact", _("exactly")
    ABOUT = "about", _("about")
    UNDER = "under", _("under")
    OVER = "over", _("over")


class ExchangeRateQuerySet(models.QuerySet):
    def for_year(self, currency, year):
        """The rate to use for an amount of `currency` in fiscal `year`: the latest dated in
        or before that year, else (a year before the first rate) the earliest one."""
        rates = self.filter(currency=(currency or "").upper())
        if year:
            before = rates.filter(valid_on__year__lte=year).order_by("-valid_on").first()
            if before is not None:
                return before
            return rates.order_by("valid_on").first()
        return rates.order_by("-valid_on").first()


class ExchangeRate(models.Model):
    """How many units of a currency buy one US dollar on a date, from a named source.

    The network secretariat keeps this table in the admin. Comparisons across offices (budget
    bands, the resources panel's dollar figures) convert with it and show the rate's date and
    source beside every converted figure; nothing is converted with a rate written in code.
    """

    currency = models.CharField(
        _("currency"), max_length=3, validators=[validate_currency],
        help_text=_("ISO 4217 code in capitals, e.g. COP."),
    )
    units_per_usd = models.DecimalField(
        _("units per US dollar"), max_digits=20, decimal_places=6,
        validators=[MinValueValidator(Decimal("0.000001"))],
        help_text=_("How many units of the currency one US dollar buys, e.g. 4236.63 for "
                    "Colombian pesos."),
    )
    valid_on = models.DateField(_("date of the rate"))
    source = models.CharField(
        _("source"), max_length=300,
        help_text=_("Who published the rate and where, e.g. a central bank's daily rate."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ExchangeRateQuerySet.as_manager()

    class Meta:
        ordering = ["currency", "-valid_on"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_on"],
                                    name="one_rate_per_currency_and_date"),
            models.CheckConstraint(condition=Q(units_per_usd__gt=0),
                                   name="exchange_rate_positive"),
            models.CheckConstraint(condition=~Q(currency="USD") | Q(units_per_usd=1),
                                   name="usd_rate_is_one"),
        ]

    def __str__(self):
        return f"{self.currency} {self.units_per_usd} / USD ({self.valid_on})"

    def clean(self):
        self.currency = (self.currency or "").strip().upper()
        if self.currency == "USD" and self.units_per_usd not in (None, 1):
            raise ValidationError({"units_per_usd": _("A US dollar is one US dollar.")})

    def to_usd(self, amount):
        return Decimal(amount) / self.units_per_usd


# --- the indicator register ---------------------------------------------------------------

INDICATOR_NAME_MAX_CHARS = 200
INDICATOR_TEXT_MAX_CHARS = 2_000


class IndicatorQuerySet(models.QuerySet):
    """Who sees an office's indicators: its members and its network's secretariat see every
    one; everyone else only those the office marked public (docs/indicators.md)."""

    def of_offices(self):
        """The offices' own indicators (the register), not the city figures."""
        return self.filter(office__isnull=False)

    def city_figures(self):
        """The cities' outcome figures (homicides, rates…), kept by the network secretariat."""
        return self.filter(office__isnull=True)

    def visible_to(self, user):
        """The office indicators `user` may see (city figures are public: `city_figures`)."""
        offices = self.of_offices()
        public = Q(is_public=True)
        if not user.is_authenticated:
            return offices.filter(public)
        if user.is_superuser:
            return offices
        return offices.filter(
            public
            | Q(office__in=roles_of(user).office_ids())
            | Q(office__city__in=City.objects.managed_by(user).values("pk"))
        )

    def editable_by(self, user):
        """The indicators of the offices `user` is an editor or lead of."""
        return self.filter(office__in=Office.objects.editable_by(user).values("pk"))

    def figures_editable_by(self, user):
        """City figures `user` may enter and change: those of the cities they manage."""
        return self.city_figures().filter(city__in=City.objects.managed_by(user).values("pk"))

    def with_last_value(self):
        """Each indicator with `last_on` (date of its latest value) and `value_count`."""
        return self.annotate(last_on=models.Max("values__on"),
                             value_count=models.Count("values"))


class Indicator(models.Model):
    """Something measured over time: an outcome, a process, coordination, perception… with
    its baseline, target and how often it is updated. Vera's *Coordinating Safety* (Nov 2023,
    "How offices should measure and message success", step 2) asks offices to track
    shorter-term processes and coordination as well as long-term outcomes.

    Two owners share the model. An **office indicator** (`office` set) is in the office's
    register, kept by its editors. A **city figure** (`office` empty) is one of the city's
    outcome series (homicides, a homicide rate…), from public sources and kept by the network
    secretariat; its `measure` says which, and each value carries its qualifier and source.
    """

    class Kind(models.TextChoices):
        OUTCOME = "outcome", _("Outcome")
        PROCESS = "process", _("Process (activities and reach)")
        COORDINATION = "coordination", _("Coordination")
        PERCEPTION = "perception", _("Perception of safety")
        GENDER_BASED = "gender_based_violence", _("Gender-based violence")
        OTHER = "other", _("Other")

    class Cadence(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        HALF_YEARLY = "half_yearly", _("Every six months")
        YEARLY = "yearly", _("Yearly")
        TWO_YEARLY = "two_yearly", _("Every two years")

    class Measure(models.TextChoices):
        HOMICIDES = "homicides", _("Homicides (count)")
        HOMICIDE_RATE = "homicide_rate", _("Homicide rate per 100,000")
        VIOLENT_DEATH_RATE = "violent_death_rate", _("Violent deaths per 100,000")
        OTHER = "other", _("Other")

    #: How many months may pass after a value's date before the next one is due.
    CADENCE_MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12,
                      "two_yearly": 24}

    city = models.ForeignKey(
        City, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("city")
    )
    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("office"),
        null=True, blank=True, help_text=_("Empty for the city's own outcome figures."),
    )
    name = models.CharField(_("name"), max_length=INDICATOR_NAME_MAX_CHARS, blank=True)
    measure = models.CharField(
        _("measure"), max_length=20, choices=Measure.choices, blank=True,
        help_text=_("What a city figure counts; office indicators leave it empty."),
    )
    area = models.CharField(
        _("area"), max_length=200, blank=True, help_text=_("e.g. metropolitan area.")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    unit = models.CharField(
        _("unit"), max_length=100, blank=True,
        help_text=_("What one number counts, e.g. homicides per 100,000 people, % of "
                    "respondents, meetings held."),
    )
    description = models.TextField(
        _("what it measures and why"), blank=True, max_length=INDICATOR_TEXT_MAX_CHARS
    )
    baseline_value = models.DecimalField(
        _("baseline value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(
        _("baseline year"), null=True, blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    target_value = models.DecimalField(
        _("target value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target_year = models.PositiveSmallIntegerField(
        _("target year"), null=True, blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    cadence = models.CharField(
        _("update frequency"), max_length=12, choices=Cadence.choices, default=Cadence.YEARLY,
        help_text=_("How often a new value is due. An indicator whose last value is older "
                    "than this is flagged as overdue."),
    )
    source = models.TextField(
        _("source"), blank=True, max_length=INDICATOR_TEXT_MAX_CHARS,
        help_text=_("Where the figures come from: a system, a survey, a partner's records."),
    )
    is_public = models.BooleanField(
        _("public"), default=False,
        help_text=_("Public indicators appear in public briefs and to anyone reading the "
                    "office's page; the others only to the office and its network's "
                    "secretariat."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("updated by"),
    )

    history = HistoricalRecords()
    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["office", "kind", "name"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="unique_indicator_name"),
            models.UniqueConstraint(
                fields=["city", "measure", "name", "area"], condition=Q(office__isnull=True),
                name="unique_city_figure_series"),
            models.CheckConstraint(
                condition=Q(office__isnull=True) | ~Q(name=""), name="office_indicator_named"),
            models.CheckConstraint(
                condition=Q(office__isnull=False) | Q(measure__in=[
                    "homicides", "homicide_rate", "violent_death_rate", "other"]),
                name="city_figure_has_measure"),
            models.CheckConstraint(
                condition=~Q(measure="other") | ~Q(name=""), name="other_figure_named"),
            models.CheckConstraint(
                condition=Q(kind__in=["outcome", "process", "coordination", "perception",
                                      "gender_based_violence", "other"]),
                name="indicator_kind_known"),
            models.CheckConstraint(
                condition=Q(cadence__in=["monthly", "quarterly", "half_yearly", "yearly",
                                         "two_yearly"]),
                name="indicator_cadence_known"),
            models.CheckConstraint(
                condition=Q(baseline_value__isnull=True) | Q(baseline_year__isnull=False),
                name="indicator_baseline_has_year"),
            models.CheckConstraint(
                condition=Q(target_value__isnull=True) | Q(target_year__isnull=False),
                name="indicator_target_has_year"),
        ]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        # An office indicator belongs to its office's city.
        if self.office_id and not self.city_id:
            self.city_id = self.office.city_id
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        if self.is_city_figure:
            return reverse("cities:outcome-city", kwargs={"slug": self.city.slug})
        return reverse("cities:office-indicator", kwargs={"pk": self.pk})

    @property
    def is_city_figure(self):
        return self.office_id is None

    @property
    def label(self):
        """What the series is called: its name, else (a city figure) its measure."""
        return self.name or (self.get_measure_display() if self.measure else "")

    @property
    def is_rate(self):
        return self.measure in {self.Measure.HOMICIDE_RATE, self.Measure.VIOLENT_DEATH_RATE}

    def clean(self):
        errors = {}
        if self.baseline_value is not None and self.baseline_year is None:
            errors["baseline_year"] = _("Give the year of the baseline value.")
        if self.target_value is not None and self.target_year is None:
            errors["target_year"] = _("Give the year the target is for.")
        if (self.target_year and self.baseline_year
                and self.target_year < self.baseline_year):
            errors["target_year"] = _("The target year cannot be before the baseline year.")
        if errors:
            raise ValidationError(errors)

    def due_on(self, last_on):
        """The date a new value is due after one dated `last_on` (None: no value yet)."""
        if last_on is None:
            return None
        months = last_on.month - 1 + self.CADENCE_MONTHS[self.cadence]
        year, month = last_on.year + months // 12, months % 12 + 1
        # The same day of the month, or the month's last day when it is shorter.
        day = min(last_on.day, calendar.monthrange(year, month)[1])
        return last_on.replace(year=year, month=month, day=day)

    def is_stale(self, last_on, today=None):
        """Past its cadence: the latest value is older than the cadence allows. An indicator
        without values is not stale but empty (the pages say "no value yet")."""
        due = self.due_on(last_on)
        return due is not None and due < (today or timezone.localdate())


class CityFigureSeriesManager(models.Manager.from_queryset(IndicatorQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(office__isnull=True)


class CityFigureSeries(Indicator):
    """A city's outcome series, as the admin lists them (the same rows as `Indicator`)."""

    objects = CityFigureSeriesManager()

    class Meta:
        proxy = True
        verbose_name = _("city outcome series")
        verbose_name_plural = _("city outcome series")

    def save(self, *args, **kwargs):
        self.office = None
        self.kind = Indicator.Kind.OUTCOME
        self.cadence = Indicator.Cadence.YEARLY
        self.is_public = True
        super().save(*args, **kwargs)


class IndicatorValueQuerySet(models.QuerySet):
    def city_figures(self):
        """The values of the cities' outcome series, with their series and city."""
        return self.filter(indicator__office__isnull=True).select_related("indicator__city")


def year_end(year):
    """The date a yearly city figure is stored under: the last day of its year."""
    return date(int(year), 12, 31)


class IndicatorValue(models.Model):
    """One value of an indicator, for the period ending on `on`. A city figure is yearly
    (`on` is 31 December of its year) and carries how exact it is and where it comes from."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values",
        verbose_name=_("indicator"),
    )
    on = models.DateField(
        _("date"), help_text=_("The day the value is for: the end of the month, quarter or "
                               "year it measures.")
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    qualifier = models.CharField(
        _("qualifier"), max_length=8, choices=Qualifier.choices, default=Qualifier.EXACT
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    source = models.TextField(
        _("source"), blank=True, max_length=INDICATOR_TEXT_MAX_CHARS,
        help_text=_("Where this value comes from, when not the indicator's own source."),
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("added by"),
    )

    history = HistoricalRecords()
    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "on"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "on"], name="one_value_per_date"),
            models.CheckConstraint(
                condition=Q(qualifier__in=["exact", "about", "under", "over"]),
                name="indicator_value_qualifier_known"),
        ]

    def __str__(self):
        return f"{self.indicator.label} {self.on}: {self.value}"

    # A city figure read as one row: its city, measure, label and area (and the `year`
    # that `cities.city_figures.figures()` annotates).
    @property
    def city(self):
        return self.indicator.city

    @property
    def measure(self):
        return self.indicator.measure

    @property
    def label(self):
        return self.indicator.name

    @property
    def area(self):
        return self.indicator.area

    @property
    def is_rate(self):
        return self.indicator.is_rate

    def get_measure_display(self):
        return self.indicator.get_measure_display()


# --- the next change of administration --------------------------------------------------

TRANSITION_NOTE_MAX_CHARS = 300
TRANSITION_SOURCE_MAX_CHARS = 500


def transition_past(year, month, today=None):
    """Whether a transition in `year` (and `month`, or None: the whole year) is past."""
    today = today or timezone.localdate()
    return (year, month or 12) < (today.year, today.month)


class TransitionQuerySet(models.QuerySet):
    def upcoming(self, today=None):
        """Not yet past: a later year, or this year from this month on (a year given without
        a month counts until the year's end)."""
        today = today or timezone.localdate()
        return self.filter(
            Q(year__gt=today.year)
            | Q(year=today.year) & (Q(month__isnull=True) | Q(month__gte=today.month)))

    def in_order(self):
        """Soonest first; a year without a month after that year's dated ones."""
        return self.order_by("year", models.F("month").asc(nulls_last=True), "pk")


class Transition(models.Model):
    """An election or change of administration ahead, as the office records it. An office
    fact rather than an assessment's, so it stays current after an assessment is published
    (the transition memo reads the next one). Records are added and removed, never edited:
    two editors recording at once both keep what they entered."""

    class Kind(models.TextChoices):
        ELECTION = "election", _("Election")
        ADMINISTRATION = "administration", _("Change of administration")
        OTHER = "other", _("Other political transition")

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("office")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices,
                            default=Kind.ELECTION)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1900), MaxValueValidator(2100)])
    month = models.PositiveSmallIntegerField(
        _("month"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Leave empty if only the year is known."))
    note = models.CharField(
        _("what changes"), max_length=TRANSITION_NOTE_MAX_CHARS, blank=True,
        help_text=_("e.g. mayoral election; the mayor cannot stand again."))
    source = models.CharField(
        _("source"), max_length=TRANSITION_SOURCE_MAX_CHARS, blank=True,
        help_text=_("Where the date comes from, e.g. the electoral calendar."))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("recorded by"),
    )

    history = HistoricalRecords()
    objects = TransitionQuerySet.as_manager()

    class Meta:
        ordering = ["office", "year", "month"]
        verbose_name = _("election or change of administration")
        verbose_name_plural = _("elections and changes of administration")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["election", "administration", "other"]),
                name="transition_kind_known"),
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12),
                name="transition_month_in_range"),
            # One record per office, kind and date (a double submission adds one).
            models.UniqueConstraint(
                fields=["office", "kind", "year", "month"], condition=Q(month__isnull=False),
                name="one_transition_per_month"),
            models.UniqueConstraint(
                fields=["office", "kind", "year"], condition=Q(month__isnull=True),
                name="one_transition_per_year"),
        ]

    def __str__(self):
        return f"{self.office.name}: {self.get_kind_display()} {self.when_iso}"

    @property
    def when_iso(self):
        return f"{self.year}-{self.month:02d}" if self.month else str(self.year)

    @property
    def when(self):
        """The date in the active language: "March 2027" / "marzo de 2027", or the year."""
        if not self.month:
            return str(self.year)
        return formats.date_format(date(self.year, self.month, 1), "YEAR_MONTH_FORMAT")

    def is_past(self, today=None):
        return transition_past(self.year, self.month, today)


class AuditEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The trail a person may read: all of it for a superuser, their networks' for the
        secretariat (the access layer's `Network.objects.managed_by`), nothing otherwise."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(
            pk__in=AuditEvent.networks.through.objects.filter(
                network__in=Network.objects.managed_by(user)
            ).values("auditevent")
        )


class AuditEvent(models.Model):
    """One security-relevant event: who did what, when, from where, to what.

    The data history of assessments lives in django-simple-history; this trail records what
    history cannot: sign-ins, role changes, publishing, exports and downloads, admin changes
    and API tokens (cities/audit.py writes it; docs/audit.md lists every event).
    """

    class Action(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Sign-in failed")
        LOCKOUT = "lockout", _("Sign-in paused after failures")
        LOGOUT = "logout", _("Signed out")
        ROLE_GRANTED = "role_granted", _("Role granted")
        ROLE_CHANGED = "role_changed", _("Role changed")
        ROLE_REVOKED = "role_revoked", _("Role removed")
        SUBMITTED = "submitted", _("Assessment submitted")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        PUBLISHED = "published", _("Assessment published")
        BRIEF_VISIBILITY = "brief_visibility", _("Brief made public or private")
        EXPORT = "export", _("Non-public data exported")
        DOWNLOAD = "download", _("Non-public file downloaded")
        ADMIN_CHANGE = "admin_change", _("Changed in the admin")
        TOKEN_CREATED = "token_created", _("API token created")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    action = models.CharField(_("event"), max_length=32, choices=Action.choices, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("who"),
    )
    # The user name as given (kept when the account is deleted, and for failed sign-ins).
    actor_name = models.CharField(_("user name"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    path = models.CharField(_("page"), max_length=255, blank=True)
    target_type = models.CharField(_("object type"), max_length=50, blank=True)
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    target_label = models.CharField(_("object"), max_length=255, blank=True)
    detail = models.CharField(_("what"), max_length=500, blank=True)
    networks = models.ManyToManyField(
        Network, blank=True, related_name="+", verbose_name=_("networks"),
        help_text=_("The networks whose secretariat may read this event."),
    )

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.actor_name}"


def _domain_lines(text):
    return [line.strip().lower().lstrip("@") for line in (text or "").splitlines()
            if line.strip()]


_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class SsoConnectionQuerySet(models.QuerySet):
    def managed_by(self, user):
        """Connections of the networks whose secretariat `user` is."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(network__in=_secretariat_networks(user))

    def for_email(self, email):
        """The connection whose email domains hold `email`'s domain, or None."""
        domain = (email or "").rpartition("@")[2].strip().lower()
        if not domain:
            return None
        for connection in self.select_related("app", "network"):
            if domain in connection.domains:
                return connection
        return None


class SsoConnection(models.Model):
    """Single sign-on for one network: an identity provider (an allauth SocialApp, OpenID
    Connect or SAML) and the email domains of the people who sign in through it.

    Invited people only: the provider proves who someone is; what they may see and do still
    comes from their office memberships and network roles (cities/sso.py, docs/sso.md).
    """

    app = models.OneToOneField(
        "socialaccount.SocialApp", on_delete=models.CASCADE, related_name="sso_connection",
        verbose_name=_("identity provider"),
    )
    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="sso_connections",
        verbose_name=_("network"),
    )
    email_domains = models.TextField(
        _("email domains"),
        help_text=_("One per line, e.g. palmira.gov.co. Someone who types an address in one "
                    "of these domains on the sign-in page is sent to this identity provider, "
                    "and only addresses in these domains may sign in through it."),
    )
    trust_provider_emails = models.BooleanField(
        _("the provider's addresses are verified"),
        default=False,
        help_text=_("Tick this when the provider only asserts addresses from your "
                    "organisation's own directory but does not say they are verified (most "
                    "SAML providers, and Entra ID). Leave it empty when the provider sends "
                    "email_verified (Google Workspace, Keycloak)."),
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    objects = SsoConnectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("single sign-on connection")
        verbose_name_plural = _("single sign-on connections")

    def __str__(self):
        return f"{self.app.name} ({self.network.name})"

    @property
    def domains(self):
        return _domain_lines(self.email_domains)

    def clean(self):
        super().clean()
        domains = self.domains
        if not domains:
            raise ValidationError({"email_domains": _("Give at least one email domain.")})
        for domain in domains:
            if not _DOMAIN.match(domain):
                raise ValidationError({"email_domains": _(
                    "“%(domain)s” is not a domain name (e.g. palmira.gov.co).")
                    % {"domain": domain}})
        taken = {}
        for other in SsoConnection.objects.exclude(pk=self.pk).select_related("app"):
            for domain in other.domains:
                taken[domain] = other
        for domain in domains:
            if domain in taken:
                raise ValidationError({"email_domains": _(
                    "%(domain)s already signs in through “%(provider)s”; a domain can have "
                    "only one identity provider.") % {
                        "domain": domain, "provider": taken[domain].app.name}})
        self.email_domains = "\n".join(dict.fromkeys(domains))

    def admits(self, user):
        """Is `user` invited into this connection's network (a member of one of its offices,
        or holding a role in it)?"""
        return (
            OfficeMembership.objects.filter(user=user, office__city__networks=self.network)
            .exists()
            or NetworkRole.objects.filter(user=user, network=self.network).exists()
        )
