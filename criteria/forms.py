from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.forms.models import BaseInlineFormSet, inlineformset_factory
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cities.currencies import TYPED_MAX_LENGTH, CurrencyInput, normalise_currency

from .models import (
    COMMENT_MAX_CHARS,
    Assessment,
    CriterionResponse,
    DatePrecision,
    Evidence,
    FundingSource,
    Level,
    OfficeProfile,
    ReviewComment,
    Round,
)
from .uploads import MAX_NAME_LENGTH, check_upload

BLANK_LEVEL = [("", _("Not chosen yet"))]


def counted(form):
    """Show a live character counter instead of the browser's silent cut at `maxlength`.

    A pasted text longer than `maxlength` would be truncated without a word; with
    `data-maxlength` app.js counts as the user types and the server refuses the excess
    with a message naming the field.
    """
    for field in form.fields.values():
        limit = getattr(field, "max_length", None)
        if limit and not field.widget.is_hidden:
            field.widget.attrs.pop("maxlength", None)
            field.widget.attrs["data-maxlength"] = str(limit)


class SubmissionKeyField(forms.UUIDField):
    """The form's idempotency token (see workflow.claim_submission)."""

    def __init__(self, **kwargs):
        super().__init__(widget=forms.HiddenInput, required=False, **kwargs)


class ResponseForm(forms.ModelForm):
    """One criterion's answer. `version` is the one the editor's copy was based on."""

    level = forms.TypedChoiceField(
        label=_("Level"),
        choices=BLANK_LEVEL + list(Level.choices),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose a level from 0 to 4 of the rubric.")},
    )
    confidence = forms.ChoiceField(
        label=_("How confident are you in this level?"),
        choices=[("", _("Not said"))] + list(CriterionResponse.Confidence.choices),
        required=False,
        widget=forms.RadioSelect,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    # On the merge screen: the choices both editors made differently, which the person
    # merging must pick explicitly (none is pre-selected).
    must_choose = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = CriterionResponse
        fields = [
            "level",
            "current_strengths",
            "opportunities",
            "confidence",
            "not_applicable",
            "not_applicable_reason",
            "language",
        ]
        widgets = {
            "current_strengths": forms.Textarea(attrs={"rows": 6}),
            "opportunities": forms.Textarea(attrs={"rows": 6}),
            "not_applicable_reason": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "current_strengths": _("Current strengths"),
            "opportunities": _("Opportunities to enhance effectiveness"),
            "not_applicable": _("This criterion does not apply to our office"),
            "not_applicable_reason": _("Why it does not apply"),
            "language": _("Written in"),
        }
        help_texts = {
            "current_strengths": _("What the office already does well on this criterion."),
            "opportunities": _("What would make the office more effective here."),
            "language": _("Your text is kept as written; this only tags its language."),
        }

    def __init__(self, *args, rubric=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rubric = {r.level: r for r in (rubric or [])}
        if not self.is_bound:
            self.initial["version"] = self.instance.version
            self.initial["language"] = self.instance.language or get_language()
        self.fields["language"].required = False
        counted(self)

    def _get_validation_exclusions(self):
        # The table's CHECK constraints (a level from 0 to 4, the length limits, "does not
        # apply" with a reason) are held by the fields above and clean(), and by the
        # database on write. Checked by the model as well, each costs a query inside its own
        # savepoint on every autosave; the model's clean() still runs.
        return super()._get_validation_exclusions() | set(self.Meta.fields)

    def clean(self):
        cleaned = super().clean()
        for name in (cleaned.get("must_choose") or "").split(","):
            if name in ("level", "confidence") and name not in self.data:
                self.add_error(name, _("You and a colleague chose differently: pick one."))
        if cleaned.get("not_applicable"):
            if not (cleaned.get("not_applicable_reason") or "").strip():
                self.add_error(
                    "not_applicable_reason",
                    _("Say why this criterion does not apply, or untick “does not apply”."),
                )
            cleaned["level"] = None
        return cleaned

    def content(self):
        """The answer fields as cleaned, to be written by save_response()."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def level_options(self):
        """Radio options paired with their rubric level (for its descriptor), for the template."""
        options = []
        for radio in self["level"]:
            value = radio.data["value"]
            descriptor = self.rubric.get(int(value)) if value != "" else None
            options.append((radio, descriptor))
        return options


class EvidenceForm(forms.ModelForm):
    submission_key = SubmissionKeyField()

    class Meta:
        model = Evidence
        fields = ["kind", "title", "url", "file", "date", "date_precision", "source", "note",
                  "strength"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"url": _("Link (URL)"), "file": _("Upload a file")}
        help_texts = {
            "file": _("PDF, DOCX, XLSX, CSV, PNG or JPEG, at most 20 MB."),
            "source": _("Who produced it, e.g. “City budget office”."),
        }

    def __init__(self, *args, can_verify=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.file_kind = None
        if "strength" not in self.fields:
            # The admin's view-only form (evidence of a published assessment) has no
            # editable fields at all.
            return
        choices = list(Evidence.Strength.choices)
        if not can_verify:
            choices = [c for c in choices if c[0] != Evidence.Strength.VERIFIED]
            self.fields["strength"].help_text = _(
                "Only the network secretariat can mark evidence as independently verified."
            )
        self.fields["strength"].choices = choices
        # The name a person's file has (kept as original_name), not the stored name's length.
        self.fields["file"].max_length = MAX_NAME_LENGTH
        # Optional: a date typed without saying otherwise is an exact day.
        self.fields["date_precision"].required = False
        self.fields["date_precision"].initial = DatePrecision.DAY
        counted(self)

    def clean_date_precision(self):
        return self.cleaned_data.get("date_precision") or DatePrecision.DAY

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "content_type"):  # a new upload, not a stored file
            self.file_kind = check_upload(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == Evidence.Kind.LINK and not cleaned.get("url"):
            self.add_error("url", _("A link needs its URL."))
        if kind == Evidence.Kind.DOCUMENT and not (cleaned.get("file") or cleaned.get("url")):
            self.add_error("file", _("Upload the document or give a link to it."))
        if kind == Evidence.Kind.NOTE and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Write the note."))
        return cleaned


class FundingShareFormSet(BaseInlineFormSet):
    """Shares of one profile may not add up to more than 100 % (the database agrees)."""

    def clean(self):
        super().clean()
        total = Decimal(0)
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            total += form.cleaned_data.get("share_percent") or Decimal(0)
        if total > 100:
            raise ValidationError(
                _("Share of budget (%%): the funding shares add up to %(total)s %%; "
                  "together they may not exceed 100 %%."),
                params={"total": format(total.normalize(), "f")},
                code="shares_over_100",
            )


class FundingForm(forms.ModelForm):
    """One funding source. Each field also sends the value it was rendered with, so a save
    writes only what this editor changed and keeps a colleague's change to another field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name not in ("id", "DELETE", "profile"):
                field.show_hidden_initial = True
        counted(self)


FundingFormSet = inlineformset_factory(
    OfficeProfile,
    FundingSource,
    form=FundingForm,
    formset=FundingShareFormSet,
    fields=["name", "kind", "share_percent", "project_based", "legally_protected"],
    extra=2,
    can_delete=True,
)


class ProfileForm(forms.ModelForm):
    """The profile's facts. `version` is the one the editor's copy was based on."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    class Meta:
        model = OfficeProfile
        fields = [
            "institutional_location",
            "police_control",
            "budget_amount",
            "budget_currency",
            "budget_year",
            "budget_note",
            "municipal_budget_amount",
            "police_budget_amount",
            "staff_cost_amount",
            "data_evaluation_amount",
            "staff_fte",
            "staffing_model",
            "staff_expertise",
            "staff_note",
            "prevention_primary",
            "prevention_secondary",
            "prevention_tertiary",
            "focus_population",
            "mandate_goals",
            "has_baseline",
            "last_diagnosis_year",
            "diagnosis_cycle_years",
            "buy_in_single_champion",
            "leadership",
            "formal_strategy",
            "overlapping_mandates",
            "short_term_contracts",
            "short_term_contract_share",
            "impact_evaluation",
            "last_reach_audit_year",
            "next_transition_year",
            "next_transition_month",
            "notes",
        ]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "budget_note": forms.Textarea(attrs={"rows": 2}),
            "staff_note": forms.Textarea(attrs={"rows": 2}),
            "focus_population": forms.Textarea(attrs={"rows": 2}),
            "mandate_goals": forms.Textarea(attrs={"rows": 3}),
            "budget_currency": CurrencyInput,
        }

    # Facts added after the form's first version: a post without them (an older page, a
    # script) keeps them unknown rather than failing.
    OPTIONAL_CHOICES = ("leadership", "impact_evaluation")
    #: Amounts given in `budget_currency`.
    AMOUNTS = ("budget_amount", "municipal_budget_amount", "police_budget_amount",
               "staff_cost_amount", "data_evaluation_amount")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.OPTIONAL_CHOICES:
            self.fields[name].required = False
        currency = self.fields["budget_currency"]
        currency.max_length = TYPED_MAX_LENGTH
        currency.validators = [v for v in currency.validators
                               if not isinstance(v, MaxLengthValidator)]
        # Amounts added after the form's first version: a post from an older page (or a
        # script) that does not send them keeps what is stored instead of emptying it.
        missing = [n for n in self.AMOUNTS[1:] if self.is_bound and n not in self.data]
        if missing:
            self.data = self.data.copy()
            for name in missing:
                value = getattr(self.instance, name)
                self.data[self.add_prefix(name)] = "" if value is None else str(value)
        if not self.is_bound:
            self.initial.setdefault("version", self.instance.version)
        counted(self)
        # A three-letter code needs no character counter; the ISO 4217 check speaks instead.
        currency.widget.attrs.pop("data-maxlength", None)

    def content(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def clean_leadership(self):
        return self.cleaned_data.get("leadership") or OfficeProfile.Leadership.UNKNOWN

    def clean_impact_evaluation(self):
        return (self.cleaned_data.get("impact_evaluation")
                or OfficeProfile.ImpactEvaluation.UNKNOWN)

    def clean_budget_currency(self):
        return normalise_currency(self.cleaned_data.get("budget_currency"))

    def clean(self):
        cleaned = super().clean()
        amounts = [name for name in self.AMOUNTS if cleaned.get(name) is not None]
        if amounts and not cleaned.get("budget_currency") and "budget_currency" not in \
                self.errors:
            self.add_error("budget_currency", _("Say which currency the amounts are in."))
        if cleaned.get("next_transition_month") and not cleaned.get("next_transition_year"):
            self.add_error(
                "next_transition_year",
                _("Give the year of the transition as well as its month."),
            )
        share, flag = cleaned.get("short_term_contract_share"), cleaned.get("short_term_contracts")
        if share is not None:
            if flag is False and share > 0:
                self.add_error(
                    "short_term_contract_share",
                    _("You said no staff are on short-term contracts, but gave a share above "
                      "0 %. Correct one of the two."),
                )
            elif flag is True and share == 0:
                self.add_error(
                    "short_term_contract_share",
                    _("You said some staff are on short-term contracts, but gave a share of "
                      "0 %. Correct one of the two."),
                )
            elif flag is None:
                cleaned["short_term_contracts"] = share > 0
        return cleaned


class RoundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(name)s (%(network)s, closes %(date)s)") % {
            "name": obj.name, "network": obj.network.acronym or obj.network.name,
            "date": date_format(obj.closes_on, "DATE_FORMAT")}


class StartAssessmentForm(forms.Form):
    submission_key = SubmissionKeyField()
    round = RoundChoiceField(
        label=_("Round"), queryset=Round.objects.none(), to_field_name="pk",
        empty_label=None,
        help_text=_("The open rounds your office is invited to by its network secretariat."),
        error_messages={"invalid_choice": _("Choose one of the open rounds your office is "
                                            "invited to.")},
    )
    copy_from = forms.ModelChoiceField(
        label=_("Start from"),
        queryset=Assessment.objects.none(),
        required=False,
        empty_label=_("A blank assessment"),
        help_text=_(
            "Copying forward fills each criterion with last round's answer, marked “carried "
            "over” until someone confirms or edits it."
        ),
    )

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.office = office
        self.fields["round"].queryset = (
            Round.objects.open_for(office).exclude(assessments__office=office)
            .select_related("network").order_by("closes_on", "code"))
        self.fields["copy_from"].queryset = Assessment.objects.filter(
            office=office, status=Assessment.Status.PUBLISHED
        ).select_related("round").order_by("-round__opens_on", "-round__closes_on")
        latest = self.fields["copy_from"].queryset.first()
        if latest and not self.is_bound:
            self.initial["copy_from"] = latest.pk

    def clean(self):
        cleaned = super().clean()
        rnd, source = cleaned.get("round"), cleaned.get("copy_from")
        if rnd and source and source.framework_id != rnd.framework_id:
            self.add_error("copy_from", _("This assessment uses another framework than the "
                                          "round; start a blank one."))
        return cleaned


class CommentForm(forms.ModelForm):
    class Meta:
        model = ReviewComment
        fields = ["response", "body"]
        labels = {"response": _("On criterion"), "body": _("Comment")}
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, assessment, **kwargs):
        super().__init__(*args, **kwargs)
        counted(self)
        self.instance.assessment = assessment
        self.fields["response"].queryset = assessment.responses.select_related("criterion")
        self.fields["response"].empty_label = _("The assessment as a whole")
        self.fields["response"].label_from_instance = lambda r: str(r.criterion)


class RequestChangesForm(forms.Form):
    note = forms.CharField(
        label=_("What should the office change?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent to the office's editors with your comments per criterion."),
        max_length=COMMENT_MAX_CHARS,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        counted(self)


class RoundForm(forms.ModelForm):
    """A round of one of the networks whose secretariat the user is. Invited offices are
    limited to offices in the network's member cities."""

    class Meta:
        model = Round
        fields = ["network", "name", "code", "framework", "opens_on", "closes_on",
                  "invited_offices"]
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "closes_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "invited_offices": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, networks, **kwargs):
        super().__init__(*args, **kwargs)
        from cities.models import Office

        from .models import Framework

        self.fields["network"].queryset = networks
        self.fields["network"].empty_label = None
        self.fields["framework"].queryset = Framework.objects.all()
        self.fields["framework"].empty_label = None
        if not self.instance.pk:
            self.initial.setdefault("framework", Framework.objects.default())
        if self.instance.pk:
            # A round with assessments keeps its network and framework.
            self.fields["network"].disabled = True
            if self.instance.assessments.exists():
                self.fields["framework"].disabled = True
        self.fields["invited_offices"].queryset = (
            Office.objects.filter(city__networks__in=networks).select_related("city")
            .distinct().order_by("city__name", "name"))
        self.fields["invited_offices"].label_from_instance = (
            lambda o: f"{o.name} ({o.city.name})")
        self.fields["code"].widget.attrs.update(
            {"pattern": "[a-z0-9]+(-[a-z0-9]+)*", "autocapitalize": "none",
             "spellcheck": "false"})

    def clean_code(self):
        return self.cleaned_data["code"].strip()

    def clean(self):
        cleaned = super().clean()
        network, offices = cleaned.get("network"), cleaned.get("invited_offices")
        if network is not None and offices:
            outside = [o for o in offices
                       if not o.city.networks.filter(pk=network.pk).exists()]
            if outside:
                self.add_error("invited_offices", _(
                    "These offices are not in a member city of %(network)s: %(offices)s.")
                    % {"network": network.name,
                       "offices": ", ".join(o.name for o in outside)})
        code = cleaned.get("code")
        if network is not None and code and Round.objects.filter(
                network=network, code=code).exclude(pk=self.instance.pk).exists():
            self.add_error("code", _("This network already has a round with this code."))
        return cleaned
