"""Shared fixtures: the seeded network and the personas every permission test uses.

The database is seeded once per session (framework, sample, Part 4 charts, demo logins);
each test runs in a transaction that is rolled back, so tests may change data freely.
"""

from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.test import override_settings

from cities.models import User


def pytest_configure(config):
    """Passwords hash quickly in tests. Production keeps Django's PBKDF2 (a million rounds,
    slow on purpose), which cost every seeding of the demo logins and every sign-in in a
    browser test about half a second per password."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(DEBUG=True):
        call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


def _persona(username):
    return User.objects.get(username=username)


@pytest.fixture
def editor_a(db):
    """Editor of office A: Palmira's Secretariat for Security and Coexistence."""
    return _persona("demo-editor")


@pytest.fixture
def viewer_a(db):
    """Viewer of office A."""
    return _persona("demo-viewer")


@pytest.fixture
def office_lead(db):
    """Lead of office A: an editor of A who also manages A's members."""
    return _persona("demo-lead")


@pytest.fixture
def editor_b(db):
    """Editor of office B: Oakland's Department of Violence Prevention."""
    return _persona("demo-editor-b")


@pytest.fixture
def secretariat(db):
    return _persona("demo-secretariat")


@pytest.fixture
def researcher(db):
    return _persona("demo-researcher")


@pytest.fixture
def other_network(db):
    """A second network with one city, an office and its 2026 draft, and that network's own
    secretariat (staff, in the secretariat group, like demo-secretariat): PiOC's secretariat
    has no business there, nor this one in PiOC."""
    from django.contrib.auth.models import Group

    from cities.models import City, Network, NetworkMembership, NetworkRole, Office
    from criteria import workflow
    from criteria.management.commands.seed_demo import SECRETARIAT_GROUP
    from criteria.models import Framework

    network = Network.objects.create(slug="other-network", name="Other network")
    city = City.objects.get(slug="chicago")
    NetworkMembership.objects.create(network=network, city=city)
    office = Office.objects.create(slug="chicago-test-office", city=city, name="Test office")
    from tests.rounds import make_round
    draft = workflow.start_assessment(
        office=office, framework=Framework.objects.default(),
        round=make_round(network, "2026", offices=[office]), by=None)
    secretariat = User.objects.create_user("other-secretariat", "other@example.org",
                                           is_staff=True)
    secretariat.groups.add(Group.objects.get(name=SECRETARIAT_GROUP))
    NetworkRole.objects.create(user=secretariat, network=network,
                               role=NetworkRole.Role.SECRETARIAT)
    return SimpleNamespace(network=network, city=city, office=office, draft=draft,
                           secretariat=secretariat)


@pytest.fixture
def other_secretariat(other_network):
    """Secretariat of another network (with its own city, office and draft)."""
    return other_network.secretariat


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root-test", "root@example.org", "x-unused-x")


PERSONAS = ["anonymous", "editor_a", "viewer_a", "editor_b", "secretariat", "researcher"]


@pytest.fixture
def as_persona(client, request):
    """A client signed in as the named persona (or not signed in, for 'anonymous')."""

    def sign_in(name):
        if name != "anonymous":
            client.force_login(request.getfixturevalue(name))
        return client

    return sign_in


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files go to a throwaway folder in every test."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def palmira_draft(db):
    from criteria.models import Assessment

    return Assessment.objects.select_related("office", "city", "framework").get(
        office__slug="palmira-security-coexistence", round__code="2026"
    )


def fill_response(response, user, *, level=2):
    """Complete one response through the same function the views use."""
    from criteria import workflow

    return workflow.save_response(
        response=response,
        content={"level": level, "current_strengths": f"Strength {response.criterion.number}",
                 "opportunities": f"Opportunity {response.criterion.number}",
                 "confidence": "medium", "not_applicable": False, "not_applicable_reason": ""},
        base_version=response.version, by=user,
    )


@pytest.fixture
def complete_draft(palmira_draft, editor_a):
    for response in palmira_draft.responses.all():
        fill_response(response, editor_a)
    return palmira_draft


@pytest.fixture(autouse=True)
def _no_kept_pages():
    """Stored brief pages and layout fragments kept in memory do not outlive a test."""
    from django.core.cache import caches

    caches["briefs"].clear()
    caches["template_fragments"].clear()


@pytest.fixture(autouse=True)
def _language_reset():
    """A request in Spanish leaves Spanish active in the thread; start and end in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()
