"""The layout's navigation, language options and footer are drawn once per process and kept
(`{% cache %}` in templates/base.html): whoever asks next, in whatever language, on whatever
page, gets the navigation of their own roles, never the one kept for someone else."""

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _nav(client, path):
    html = client.get(path).content.decode()
    nav = html[html.index('<nav class="site-nav"'):html.index("</nav>", html.index(
        '<nav class="site-nav"'))]
    return set(re.findall(r">([^<>]+)</a>", nav)), html


def test_each_person_gets_their_own_navigation_on_the_same_page(
    editor_a, secretariat, researcher
):
    path = reverse("criteria:criterion-list")
    seen = {}
    # Twice round, so the second time every one of them meets what the others left kept.
    for _round in range(2):
        for name, user in (("anonymous", None), ("editor", editor_a),
                           ("secretariat", secretariat), ("researcher", researcher)):
            client = Client()
            if user is not None:
                client.force_login(user)
            links, _html = _nav(client, path)
            assert seen.setdefault(name, links) == links
    assert "My assessments" in seen["editor"] and "Review queue" not in seen["editor"]
    assert "Review queue" in seen["secretariat"] and "My assessments" not in seen["secretariat"]
    assert "Reports" in seen["researcher"] and "Review queue" not in seen["researcher"]
    assert not {"Reports", "My assessments", "Review queue"} & seen["anonymous"]


def test_the_current_page_and_the_language_are_the_askers(editor_a):
    client = Client()
    client.force_login(editor_a)
    criteria, cities = reverse("criteria:criterion-list"), reverse("cities:city-list")
    for path, current in ((criteria, "The nine criteria"), (cities, "Cities and offices"),
                          (criteria, "The nine criteria")):
        html = client.get(path).content.decode()
        assert re.search(r'aria-current="page">' + current, html), path
    english_links, english = _nav(client, criteria)
    editor_a.preferred_language = "es"
    editor_a.save()
    spanish_links, spanish = _nav(client, criteria)
    assert "The nine criteria" in english_links and "Los nueve criterios" in spanish_links
    assert 'lang="es" selected' in spanish and 'lang="en" selected' in english
