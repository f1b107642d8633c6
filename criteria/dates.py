"""Dates shown only as precisely as they are known ("January 2024", not "1 January 2024")."""

import datetime

from django.utils import formats, timezone
from django.utils.translation import get_language

from .models import DatePrecision

# Format names from Django's locale files: "January 2024" / "enero de 2024" / "janeiro de 2024".
_FORMAT = {
    DatePrecision.YEAR: "Y",
    DatePrecision.MONTH: "YEAR_MONTH_FORMAT",
    DatePrecision.DAY: "DATE_FORMAT",
}


def format_partial_date(value, precision=DatePrecision.DAY):
    """`value` (a date or datetime) in the active language, to the given precision.

    An unknown precision is shown as a day, the most the stored value can say.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    fmt = _FORMAT.get(precision, _FORMAT[DatePrecision.DAY])
    shown = formats.date_format(value, fmt, use_l10n=True)
    if (get_language() or "").lower().startswith("pt"):
        # Django's pt-BR catalog capitalizes month names ("Janeiro"); Portuguese writes them in
        # lower case ("janeiro de 2024"). These formats hold only digits, "de" and the month.
        shown = shown.lower()
    return shown
