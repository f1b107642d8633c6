"""The accessibility statement: the standard, the date of the last check and the contact come
from settings; known limitations are listed; every page's footer links to it, in each language."""

import datetime

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang, heading, date", [
    ("en", "Known limitations", "7 March 2027"),
    ("es", "Limitaciones conocidas", "7 de marzo de 2027"),
    ("pt-br", "Limitações conhecidas", "7 de março de 2027"),
])
def test_statement_names_standard_date_limitations_and_contact(client, settings, lang, heading,
                                                               date):
    settings.ACCESSIBILITY_CHECKED_ON = datetime.date(2027, 3, 7)
    settings.ACCESSIBILITY_CONTACT = "access@city.example.org"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    html = client.get(reverse("accessibility")).content.decode()
    assert f'<html lang="{lang}">' in html
    assert "WCAG 2.1 AA" in html
    assert date in html
    assert heading in html
    assert 'href="mailto:access@city.example.org"' in html


def test_statement_says_so_when_no_contact_is_set(client, settings):
    settings.ACCESSIBILITY_CONTACT = ""
    html = client.get(reverse("accessibility")).content.decode()
    assert "mailto:" not in html
    assert "has not given an address for accessibility reports yet" in html


@pytest.mark.parametrize("url", ["/", "/criteria/", "/no-such-page/", "/admin/login/",
                                 "/api/docs/"])
def test_every_footer_links_to_the_statement(client, url):
    html = client.get(url).content.decode()
    footer = html.rsplit("<footer", 1)[1]
    assert f'href="{reverse("accessibility")}"' in footer


def test_a_bad_check_date_in_the_environment_names_the_variable(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from ovp_assess.env import env_date

    monkeypatch.setenv("OVP_ACCESSIBILITY_CHECKED_ON", "last spring")
    with pytest.raises(ImproperlyConfigured, match="OVP_ACCESSIBILITY_CHECKED_ON"):
        env_date("OVP_ACCESSIBILITY_CHECKED_ON", "2026-12-02")
