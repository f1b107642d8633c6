"""Rounds for tests: an open round of a network with offices invited."""

import datetime as dt

from django.utils import timezone


def make_round(network, code, *, offices=(), framework=None, opens_on=None, closes_on=None,
               name=None):
    from criteria.models import Framework, Round

    today = timezone.localdate()
    rnd, _created = Round.objects.get_or_create(
        network=network, code=code,
        defaults={"name": name or code, "framework": framework or Framework.objects.default(),
                  "opens_on": opens_on or today - dt.timedelta(days=30),
                  "closes_on": closes_on or today + dt.timedelta(days=30)})
    if offices:
        rnd.invited_offices.add(*offices)
    return rnd


def round_for_office(office, code, **kwargs):
    """`code` of the office's city's first network, open today, with the office invited."""
    network = office.city.networks.order_by("pk").first()
    return make_round(network, code, offices=[office], **kwargs)
