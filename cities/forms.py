from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Indicator, OfficeMembership, Transition, transition_past


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=OfficeMembership.Role.choices,
        widget=forms.RadioSelect,
        help_text=_("Editors fill in and submit assessments; viewers can only read them; "
                    "leads are editors who also manage the office's members."),
    )

    def __init__(self, *args, roles=None, **kwargs):
        super().__init__(*args, **kwargs)
        if roles is not None:
            self.fields["role"].choices = [c for c in OfficeMembership.Role.choices
                                           if c[0] in roles]

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=OfficeMembership.Role.choices)

    def __init__(self, *args, roles=None, **kwargs):
        super().__init__(*args, **kwargs)
        if roles is not None:
            self.fields["role"].choices = [c for c in OfficeMembership.Role.choices
                                           if c[0] in roles]


class IndicatorForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    class Meta:
        model = Indicator
        fields = ["name", "kind", "unit", "description", "baseline_value", "baseline_year",
                  "target_value", "target_year", "cadence", "source", "is_public"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}),
                   "source": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, office, **kwargs):
        self.office = office
        super().__init__(*args, **kwargs)
        # Blank only for a city figure, whose measure names it; an office names its own.
        self.fields["name"].required = True
        self.fields["unit"].required = True
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = self.office.indicators.filter(name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("The office already has an indicator with this "
                                          "name."))
        return name

    def _post_clean(self):
        self.instance.office = self.office
        self.instance.city_id = self.office.city_id
        super()._post_clean()

    def content(self):
        from .indicators import INDICATOR_FIELDS

        return {name: self.cleaned_data[name] for name in INDICATOR_FIELDS}


class IndicatorValueForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}),
                         help_text=_("The day the value is for: the end of the month, "
                                     "quarter or year it measures."))
    value = forms.DecimalField(label=_("Value"), max_digits=14, decimal_places=2)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, indicator, **kwargs):
        self.indicator = indicator
        super().__init__(*args, **kwargs)

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise forms.ValidationError(_("The date is in the future."))
        if self.indicator.values.filter(on=on).exists():
            raise forms.ValidationError(_("This indicator already has a value for this date. "
                                          "Remove that value first to replace it."))
        return on


class IndicatorImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, with a header row: indicator, date, value, note. Dates as "
                    "YYYY-MM-DD. At most 2 MB."),
    )


class TransitionForm(forms.ModelForm):
    """A transition ahead, not one already past."""

    class Meta:
        model = Transition
        fields = ["kind", "year", "month", "note", "source"]
        widgets = {"month": forms.Select(choices=[])}

    def __init__(self, *args, office, **kwargs):
        self.office = office
        super().__init__(*args, **kwargs)
        from django.utils.dates import MONTHS

        self.fields["month"].widget.choices = [("", _("not known yet"))] + [
            (number, name) for number, name in MONTHS.items()]
        self.fields["year"].widget.attrs.update(inputmode="numeric", autocomplete="off")

    def clean(self):
        cleaned = super().clean()
        year, month = cleaned.get("year"), cleaned.get("month")
        if year is None or "kind" not in cleaned:
            return cleaned
        today = timezone.localdate()
        if transition_past(year, month, today):
            self.add_error("month" if month and year == today.year else "year",
                           _("This date has passed: record the next election or change "
                             "of administration."))
        return cleaned

    def same_as(self, recorded):
        """Whether `recorded` holds exactly what this form says (a repeated submission)."""
        return all(getattr(recorded, name) == self.cleaned_data[name]
                   for name in ("note", "source"))
