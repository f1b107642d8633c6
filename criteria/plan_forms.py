"""Forms of the improvement plan: an action, and the nine targets at once."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from cities.models import User

from .currencies import normalise_currency
from .forms import BLANK_LEVEL, SubmissionKeyField, counted
from .models import Level
from .plan_models import Action


class AmountField(forms.DecimalField):
    """An amount typed the reader's way: "12.500.000,50" (es, pt-BR) or "12,500,000.50" (en).

    With both separators, the rightmost is the decimal one; with one kind, it is a decimal
    separator when it occurs once and is not followed by exactly three digits, and when it
    is (ambiguous: "1.000") the reader's language decides.
    """

    def to_python(self, value):
        if isinstance(value, str):
            value = _normalise_amount(value)
        return super().to_python(value)


def _normalise_amount(text):
    from django.utils.formats import get_format

    text = re.sub(r"[\s\u00a0\u202f'’]", "", text)
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        decimal = "." if text.rfind(".") > text.rfind(",") else ","
    elif dots or commas:
        sep = "." if dots else ","
        tail = text.rsplit(sep, 1)[1]
        if (dots or commas) > 1:
            decimal = "," if sep == "." else "."  # repeated: grouping
        elif len(tail) == 3:
            decimal = get_format("DECIMAL_SEPARATOR")
        else:
            decimal = sep
    else:
        return text
    grouping = "," if decimal == "." else "."
    return text.replace(grouping, "").replace(decimal, ".")


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActionForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    submission_key = SubmissionKeyField()
    # The peer exchange this action follows up (checked by the view through the access layer).
    exchange = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    class Meta:
        model = Action
        fields = ["title", "criterion", "opportunity", "owner", "owner_member", "partners",
                  "start_date", "due_date", "status", "cost_amount", "cost_currency",
                  "done_when"]
        widgets = {
            "opportunity": forms.Textarea(attrs={"rows": 3}),
            "partners": forms.Textarea(attrs={"rows": 2}),
            "done_when": forms.Textarea(attrs={"rows": 3}),
            "start_date": DATE,
            "due_date": DATE,
            "cost_currency": forms.TextInput(attrs={"size": 4, "autocapitalize": "characters",
                                                    "spellcheck": "false"}),
        }
        field_classes = {"cost_amount": AmountField}
        labels = {
            "title": _("What will be done"),
            "owner_member": _("Owner's account (optional)"),
        }
        help_texts = {
            "owner_member": _("Link the owner to a member of the office, if they have an "
                              "account here."),
            "partners": _("Other offices, agencies or organisations involved."),
        }

    def __init__(self, *args, assessment, **kwargs):
        super().__init__(*args, **kwargs)
        self.assessment = assessment
        self.fields["criterion"].queryset = assessment.framework.criteria.order_by("number")
        self.fields["criterion"].label_from_instance = lambda c: f"{c.number}. {c.name}"
        self.fields["criterion"].empty_label = None
        self.fields["owner_member"].queryset = User.objects.filter(
            office_memberships__office_id=assessment.office_id).order_by(
            "first_name", "last_name", "username")
        self.fields["owner_member"].label_from_instance = lambda u: u.display_name
        self.fields["cost_amount"].localize = True
        self.fields["cost_amount"].widget = forms.TextInput(attrs={"inputmode": "decimal"})
        self.fields["cost_amount"].widget.is_localized = True
        if not self.is_bound and self.instance.pk:
            self.initial["version"] = self.instance.version
        counted(self)

    def clean_cost_currency(self):
        raw = self.cleaned_data.get("cost_currency")
        try:
            return normalise_currency(raw)
        except forms.ValidationError:
            # Keep the refused code on the instance so the model's own check does not add
            # "say which currency" to the message that already names the problem.
            self.instance.cost_currency = (raw or "").strip().upper()[:3] or "?"
            raise

    def content(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class TargetForm(forms.Form):
    """One criterion's target; `base_*` carry what the page showed, for the merge."""

    level = forms.TypedChoiceField(
        label=_("Target level"), choices=[("", _("No target"))] + list(Level.choices),
        coerce=int, empty_value=None, required=False,
        error_messages={"invalid_choice": _("Choose a target level from 0 to 4 of the rubric.")},
    )
    target_date = forms.DateField(label=_("Target date"), required=False, widget=DATE)
    base_level = forms.TypedChoiceField(choices=BLANK_LEVEL + list(Level.choices), coerce=int,
                                        empty_value=None, required=False,
                                        widget=forms.HiddenInput)
    base_date = forms.DateField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("target_date") and cleaned.get("level") is None \
                and "level" not in self.errors:
            self.add_error("level", _("Choose a target level for this date, or clear the "
                                      "date."))
        return cleaned


def target_forms(responses, targets, data=None):
    """One TargetForm per response, prefixed by criterion number, with the stored target."""
    forms_ = []
    for response in responses:
        criterion = response.criterion
        target = targets.get(criterion.pk)
        initial = {"level": target.level if target else None,
                   "target_date": target.target_date if target else None,
                   "base_level": target.level if target else None,
                   "base_date": target.target_date if target else None}
        form = TargetForm(data, initial=initial, prefix=f"c{criterion.number}")
        form.criterion, form.response, form.target = criterion, response, target
        form.conflict = None
        forms_.append(form)
    return forms_
