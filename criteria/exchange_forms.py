"""Forms of peer exchange: asking a peer, answering or following up, filtering the network list."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cities.models import Office

from .exchange_models import EXCHANGE_TEXT_MAX_CHARS, ExchangeRequest
from .forms import SubmissionKeyField, counted


class ExchangeRequestForm(forms.Form):
    peer_office = forms.ModelChoiceField(
        label=_("Peer office"), queryset=Office.objects.none(), empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the peer offices shown.")})
    message = forms.CharField(
        label=_("Your message"), widget=forms.Textarea(attrs={"rows": 5}),
        max_length=EXCHANGE_TEXT_MAX_CHARS,
        help_text=_("What you would like to learn from them, and how you would like to meet "
                    "(a call, a visit, a network convening)."),
        error_messages={"required": _("Write a few words to the peer office.")})
    submission_key = SubmissionKeyField()

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["peer_office"].queryset = Office.objects.filter(
            pk__in=[o.pk for o in offices]).select_related("city").order_by("name")
        self.fields["peer_office"].label_from_instance = lambda o: f"{o.name} ({o.city.name})"
        counted(self)


class ExchangeStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Answer"), choices=ExchangeRequest.Status.choices,
                               widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Your note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        max_length=EXCHANGE_TEXT_MAX_CHARS)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, ExchangeRequest.Status(s).label) for s in allowed]
        self.fields["status"].error_messages["invalid_choice"] = _(
            "This answer is not possible now: the request may have changed. Reload the page.")
        counted(self)


class ExchangeFilterForm(forms.Form):
    criterion = forms.TypedChoiceField(label=_("Criterion"), required=False, coerce=int,
                                       empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status"))]
                               + list(ExchangeRequest.Status.choices))

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].choices = [("", _("Any criterion"))] + [
            (c.number, f"{c.number}. {c.name}") for c in criteria]
