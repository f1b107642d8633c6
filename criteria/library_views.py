"""The good-practice library: what offices do well, by criterion, city and region.

Anyone may search it (the practices come from published sources and reviewed assessments);
the secretariat adds practices, optionally taken from an assessment it has reviewed.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cities.access import is_secretariat
from cities.models import City, Region
from reports import tabular

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


class LibraryFilters(forms.Form):
    q = forms.CharField(label=gettext_lazy("Words"), required=False, max_length=200)
    criterion = forms.TypedChoiceField(label=gettext_lazy("Criterion"), required=False,
                                       coerce=int, empty_value=None)
    city = forms.ModelChoiceField(City.objects.filter(good_practices__isnull=False).distinct()
                                  .order_by("name"), to_field_name="slug", required=False,
                                  label=gettext_lazy("City"),
                                  empty_label=gettext_lazy("Any city"))
    region = forms.ChoiceField(label=gettext_lazy("Region"), required=False,
                               choices=[("", gettext_lazy("Any region")), *Region.choices])

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].choices = [("", _("Any criterion"))] + [
            (c.number, f"{c.number}. {c.name}") for c in criteria
        ]


def _filtered(request, criteria):
    form = LibraryFilters(request.GET or None, criteria=criteria)
    unknown = sorted(set(request.GET) - set(LibraryFilters.base_fields))
    practices = GoodPractice.objects.select_related("criterion", "city", "office").order_by(
        "criterion__number", "city__name", "title"
    ).filter(criterion__framework__is_default=True)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            practices = practices.filter(Q(title__icontains=data["q"])
                                         | Q(summary__icontains=data["q"])
                                         | Q(city__name__icontains=data["q"])
                                         | Q(office__name__icontains=data["q"]))
        if data["criterion"]:
            practices = practices.filter(criterion__number=data["criterion"])
        if data["city"]:
            practices = practices.filter(city=data["city"])
        if data["region"]:
            practices = practices.filter(city__region=data["region"])
    return form, unknown, practices


def library(request):
    criteria = list(Criterion.objects.filter(framework__is_default=True).order_by("number"))
    form, unknown, practices = _filtered(request, criteria)
    bad = unknown or (form.is_bound and not form.is_valid())
    return render(request, "criteria/library.html", {
        "form": form, "unknown": unknown,
        "practices": practices.none() if bad else practices,
        "query": request.GET.urlencode(), "can_add": is_secretariat(request.user),
        "title": _("Good-practice library"),
    }, status=400 if bad else 200)


def library_export(request, fmt):
    if fmt not in tabular.FORMATS:
        raise Http404("Unknown export format.")
    criteria = list(Criterion.objects.filter(framework__is_default=True).order_by("number"))
    form, unknown, practices = _filtered(request, criteria)
    if unknown or (form.is_bound and not form.is_valid()):
        errors = {k: [str(m) for m in v] for k, v in form.errors.items()} if form.is_bound else {}
        errors.update({k[:40]: [_("Unknown parameter.")] for k in unknown})
        return JsonResponse({"errors": errors}, status=400)
    rows = (
        (p.pk, p.criterion.number, p.criterion.name, p.city.slug, p.city.name,
         str(p.city.country), p.city.region, p.office.slug if p.office else "",
         p.office.name if p.office else "", p.title, p.summary, p.source_section,
         p.source_url, p.assessment_id)
        for p in practices.iterator(chunk_size=tabular.CHUNK)
    )
    return tabular.export_response(fmt, EXPORT_COLUMNS, rows, stem="ovp-good-practices")


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
