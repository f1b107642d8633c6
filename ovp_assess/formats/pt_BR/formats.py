# Brazilian Portuguese writes month names in lower case ("2 de dezembro de 2026"); Django's own
# pt_BR catalog capitalises them. Long dates use the "alt. month" names (E), which our catalog
# (LOCALE_PATHS come before Django's) gives in lower case: the calls below are only here so
# makemessages keeps those entries.
from django.utils.translation import pgettext_lazy

DATE_FORMAT = r"j \d\e E \d\e Y"
DATETIME_FORMAT = r"j \d\e E \d\e Y à\s H:i"

MONTH_NAMES = (
    pgettext_lazy("alt. month", "January"), pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"), pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"), pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"), pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"), pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"), pgettext_lazy("alt. month", "December"),
)
