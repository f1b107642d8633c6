"""The good-practice library: what offices do well, by criterion, city and region.

Anyone may search it (the practices come from published sources and reviewed assessments);
the secretariat adds practices, optionally taken from an assessment it has reviewed.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cities.access import is_secretariat
from cities.filtering import chips
from cities.models import City, Network, Region
from reports import tabular

from .filters import PracticeFilter, library_practices
from .forms import counted
from .models import Assessment, Criterion, CriterionResponse, Framework, GoodPractice

EXPORT_COLUMNS = [
    tabular.Column("id", "Practice id (also /api/good-practices/<id>/)"),
    tabular.Column("criterion_number", "1–9"),
    tabular.Column("criterion_name", "Criterion name"),
    tabular.Column("city", "City identifier (slug)"),
    tabular.Column("city_name", "City name"),
    tabular.Column("country", "ISO 3166-1 alpha-2 country code"),
    tabular.Column("region", "Region key"),
    tabular.Column("office", "Office identifier (slug), empty for a city-wide practice"),
    tabular.Column("office_name", "Office name"),
    tabular.Column("title", "Practice"),
    tabular.Column("summary", "What the office does"),
    tabular.Column("source", "Where it is described (section of a report, or an assessment)"),
    tabular.Column("source_url", "Link to the source"),
    tabular.Column("assessment_id", "The reviewed assessment it was taken from, if any"),
]


def practice_rows(practices):
    """Rows in EXPORT_COLUMNS order, streamed."""
    for p in practices.iterator(chunk_size=tabular.CHUNK):
        yield (p.pk, p.criterion.number, p.criterion.name, p.city.slug, p.city.name,
               str(p.city.country), p.city.region, p.office.slug if p.office else "",
               p.office.name if p.office else "", p.title, p.summary, p.source_section,
               p.source_url, p.assessment_id)


def _options(practices):
    """What the filter controls offer: only values some practice has (three queries)."""
    cities = list(City.objects.filter(pk__in=practices.values("city_id")).order_by("name"))
    countries = sorted({(str(c.country), c.country.name) for c in cities}, key=lambda c: c[1])
    regions = {c.region for c in cities}
    return {
        "criteria": list(Criterion.objects.filter(framework__is_default=True)
                         .order_by("number").values_list("number", "name")),
        "cities": [(c.slug, c.name) for c in cities],
        "countries": countries,
        "regions": [(k, label) for k, label in Region.choices if k in regions],
        "networks": list(Network.objects.filter(cities__in=[c.pk for c in cities]).distinct()
                         .order_by("name").values_list("slug", "name")),
    }


def _chips(request, options):
    return chips(request.GET, {
        "q": (_("Words"), {}),
        "criterion": (_("Criterion"), {str(n): f"{n}. {name}" for n, name in options["criteria"]}),
        "city": (_("City"), dict(options["cities"])),
        "office": (_("Office"), {}),
        "country": (_("Country"), dict(options["countries"])),
        "region": (_("Region"), dict(Region.choices)),
        "network": (_("Network"), dict(options["networks"])),
    })


def library(request):
    practices = library_practices()
    filters = PracticeFilter(request.GET, queryset=practices)
    bad = not filters.is_valid()
    options = _options(practices)
    return render(request, "criteria/library.html", {
        "filters": filters, "form": filters.form, "errors": filters.error_dict() if bad else {},
        "practices": practices.none() if bad else filters.qs,
        "options": options, "chips": _chips(request, options),
        "selected": {name: request.GET.getlist(name) for name in filters.filters},
        "query": request.GET.urlencode(), "can_add": is_secretariat(request.user),
        "title": _("Good-practice library"),
    }, status=400 if bad else 200)


def library_export(request, fmt):
    if fmt not in tabular.FORMATS:
        raise Http404("Unknown export format.")
    from reports import open_data  # it reads this module's columns and rows

    filters = PracticeFilter(request.GET, queryset=library_practices())
    if not filters.is_valid():
        return JsonResponse({"errors": filters.error_dict()}, status=400)
    return tabular.export_response(fmt, EXPORT_COLUMNS, practice_rows(filters.qs),
                                   stem="ovp-good-practices",
                                   about=open_data.export_about(request, _("Good practices")))


# --- adding practices (secretariat) -----------------------------------------------------------


def _reviewed_assessments(user):
    """Assessments the secretariat has had in review: submitted or published, of its cities."""
    return Assessment.objects.reviewable_by(user).filter(
        status__in=[Assessment.Status.SUBMITTED, Assessment.Status.PUBLISHED],
    )


class PracticeForm(forms.ModelForm):
    class Meta:
        model = GoodPractice
        fields = ["criterion", "city", "office", "title", "summary", "source_section",
                  "source_url", "assessment"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        default = Framework.objects.filter(is_default=True).values("pk")
        self.fields["criterion"].queryset = Criterion.objects.filter(
            framework__in=default).order_by("number")
        cities = City.objects.managed_by(user)
        self.fields["city"].queryset = cities.order_by("name")
        self.fields["office"].queryset = self.fields["office"].queryset.filter(
            city__in=cities.values("pk")).select_related("city").order_by("city__name", "name")
        self.fields["assessment"].queryset = _reviewed_assessments(user).select_related(
            "office", "city").order_by("-round__opens_on", "-round__closes_on", "city__name")
        counted(self)

    def clean(self):
        cleaned = super().clean()
        office, city, assessment = (cleaned.get(k) for k in ("office", "city", "assessment"))
        if office and city and office.city_id != city.pk:
            self.add_error("office", _("The office must be in the practice's city."))
        if assessment and city and assessment.city_id != city.pk:
            self.add_error("assessment", _("The assessment must be of the practice's city."))
        return cleaned


def _prefill(user, assessment_id, number):
    """Initial values taken from a reviewed assessment's answer on one criterion."""
    if not (str(assessment_id).isdigit() and str(number).isdigit()):
        return {}
    response = CriterionResponse.objects.filter(
        assessment__in=_reviewed_assessments(user).values("pk"), assessment_id=assessment_id,
        criterion__number=number,
    ).select_related("assessment__office", "assessment__city", "assessment__round",
                     "criterion").first()
    if response is None:
        return {}
    a = response.assessment
    return {
        "assessment": a.pk, "criterion": response.criterion_id, "city": a.city_id,
        "office": a.office_id, "summary": response.current_strengths,
        "title": f"{a.subject}: {response.criterion.name}"[:255],
        "source_section": _("Self-assessment %(round)s, reviewed by the secretariat")
        % {"round": a.round.name},
    }


@login_required
def practice_add(request):
    if not is_secretariat(request.user):
        raise PermissionDenied(_("Only the network secretariat adds good practices."))
    initial = _prefill(request.user, request.GET.get("assessment", ""),
                       request.GET.get("criterion", ""))
    form = PracticeForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        practice = form.save(commit=False)
        practice.added_by = request.user
        practice.save()
        messages.success(request, _("“%(title)s” added to the library.")
                         % {"title": practice.title})
        return redirect("criteria:library")
    return render(request, "criteria/library_form.html", {
        "form": form, "forms_with_errors": [form] if form.errors else [],
        "assessments": _reviewed_assessments(request.user).select_related("office", "city", "round")
        .order_by("-round__opens_on", "-round__closes_on", "city__name"),
        "criteria": Criterion.objects.filter(framework__is_default=True).order_by("number"),
        "title": _("Add a good practice"),
    }, status=422 if form.errors else 200)
