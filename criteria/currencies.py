"""ISO 4217 currency codes an estimated cost may be given in.

The active codes of the ISO 4217 list (SIX, amendment 179, 2025), without the fund,
precious-metal, testing and "no currency" codes (XAU, XTS, XXX …), which are no money an
office budgets in. Amounts are stored as a decimal beside the code, never converted.
"""

from django.core.exceptions import ValidationError
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
