"""Kept so migration 0012 and older imports resolve: the codes live in `cities.currencies`."""

from cities.currencies import ISO_4217, normalise_currency, validate_currency  # noqa: F401
