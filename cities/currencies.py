"""ISO 4217 currency codes budgets and estimated costs may be given in.

The active codes of the ISO 4217 list (SIX, amendment 179, 2025), without the fund,
precious-metal, testing and "no currency" codes (XAU, XTS, XXX …), which are no money an
office budgets in. Amounts are stored as a decimal beside the code, never converted.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

ISO_4217 = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
BYN BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP
GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS
KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR
MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF
SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD
TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL
""".split())


def normalise_currency(value: str) -> str:
    """The code in capitals, or ValidationError naming the field's rule."""
    code = (value or "").strip().upper()
    if code and code not in ISO_4217:
        raise ValidationError(
            _("“%(code)s” is not an ISO 4217 currency code; use one such as USD, COP, EUR "
              "or BRL."), params={"code": value}, code="currency")
    return code


def validate_currency(value):
    if value and value not in ISO_4217:
        normalise_currency(value)
        raise ValidationError(_("Write the currency code in capitals, e.g. USD."),
                              code="currency")


class CurrencyInput(forms.TextInput):
    """A code field that suggests the ISO 4217 codes as one types (an HTML datalist); the
    server still checks the code, so a browser without datalists loses nothing."""

    def __init__(self, attrs=None):
        # No maxlength: a browser would cut "pesos" to "pes" without a word; the server
        # answers with what a currency code is instead.
        super().__init__({"size": "6", "autocomplete": "off",
                          "autocapitalize": "characters", "spellcheck": "false",
                          **(attrs or {})})

    def build_attrs(self, base_attrs, extra_attrs=None):
        # The model field's max_length (3) would add one: drop it wherever it came from.
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs.pop("maxlength", None)
        return attrs

    def render(self, name, value, attrs=None, renderer=None):
        list_id = f"{(attrs or {}).get('id') or 'id_' + name}-codes"
        attrs = {**(attrs or {}), "list": list_id}
        options = format_html_join("", '<option value="{}"></option>',
                                   ((code,) for code in sorted(ISO_4217)))
        return format_html('{}<datalist id="{}">{}</datalist>',
                           super().render(name, value, attrs, renderer), list_id, options)


#: What a currency field accepts before it is checked: long enough that a word ("pesos")
#: reaches the ISO 4217 check and its message, rather than a bare length error.
TYPED_MAX_LENGTH = 40
