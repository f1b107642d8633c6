"""Rounds: validation, who may open and change them, starting only in open invited rounds,
deadlines, reminders (idempotent, in the recipient's language), and the API keyed on codes."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cities.models import Network, Office, User
from criteria import workflow
from criteria.models import Assessment, Framework, ReminderSent, Round
from criteria.reminders import send_reminders
from criteria.templatetags.deadlines import deadline_text
from tests.rounds import make_round

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 2)


@pytest.fixture
def pioc(db):
    return Network.objects.get(slug="pioc")


@pytest.fixture
def oakland():
    return Office.objects.get(slug="oakland-dvp")


def _round(network, code="2027", **kw):
    return Round(network=network, framework=Framework.objects.default(), name=kw.pop("name",
                 code), code=code, opens_on=kw.pop("opens_on", TODAY),
                 closes_on=kw.pop("closes_on", TODAY + dt.timedelta(days=20)))


@pytest.mark.parametrize("code", ["2026/27", "Dos mil", "2026_27", "-2026", "2026--27", "año"])
def test_a_round_code_is_safe_in_urls_and_names_the_field(pioc, code):
    with pytest.raises(ValidationError) as exc:
        _round(pioc, code).full_clean()
    assert "code" in exc.value.message_dict
    assert "lowercase letters" in exc.value.message_dict["code"][0]


def test_a_round_closes_on_or_after_it_opens(pioc):
    rnd = _round(pioc, opens_on=TODAY, closes_on=TODAY - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        rnd.full_clean()
    assert "closes_on" in exc.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        rnd.save()


def test_a_round_code_is_unique_per_network_only(pioc, other_network):
    _round(pioc, "2030").save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _round(pioc, "2030").save()
    _round(other_network.network, "2030").save()  # another network may use the same code


def test_rounds_are_ordered_by_dates_not_by_text(pioc):
    late = make_round(pioc, "dos-mil-veintisiete", opens_on=dt.date(2020, 1, 1),
                      closes_on=dt.date(2020, 6, 1))
    new = make_round(pioc, "2026-27", opens_on=dt.date(2026, 1, 1),
                     closes_on=dt.date(2027, 6, 1))
    codes = list(Round.objects.filter(pk__in=[late.pk, new.pk]).values_list("code", flat=True))
    assert codes == ["2026-27", "dos-mil-veintisiete"]


def test_editors_start_only_in_open_rounds_their_office_is_invited_to(pioc, oakland, editor_b):
    not_invited = make_round(pioc, "2040")
    with pytest.raises(workflow.WorkflowError, match="not invited"):
        workflow.start_assessment(office=oakland, round=not_invited, by=editor_b)
    closed = make_round(pioc, "2041", offices=[oakland])
    closed.closed_at = timezone.now()
    closed.save()
    with pytest.raises(workflow.WorkflowError, match="not open"):
        workflow.start_assessment(office=oakland, round=closed, by=editor_b)
    future = make_round(pioc, "2042", offices=[oakland],
                        opens_on=timezone.localdate() + dt.timedelta(days=3),
                        closes_on=timezone.localdate() + dt.timedelta(days=30))
    with pytest.raises(workflow.WorkflowError, match="not open"):
        workflow.start_assessment(office=oakland, round=future, by=editor_b)
    assert not Assessment.objects.filter(office=oakland, round__in=[not_invited, closed, future])


def test_the_start_page_offers_only_open_invited_rounds(client, pioc, oakland, editor_b):
    open_round = make_round(pioc, "2043", offices=[oakland])
    make_round(pioc, "2044")  # not invited
    client.force_login(editor_b)
    url = reverse("criteria:assessment-start", args=[oakland.slug])
    page = client.get(url).content.decode()
    assert "2043" in page and "2044" not in page
    other = Round.objects.get(code="2044")
    refused = client.post(url, {"round": other.pk, "submission_key": "x"})
    assert refused.status_code == 422
    assert "Choose one of the open rounds" in refused.content.decode()
    started = client.post(url, {"round": open_round.pk,
                                "submission_key": "6f0b8e3e-2b1c-4c35-9d7c-1c3f1b2a9e10"})
    assert started.status_code == 302
    assert Assessment.objects.get(office=oakland, round=open_round).framework == \
        open_round.framework


def test_deadline_words():
    assert deadline_text(5) == "due in 5 days"
    assert deadline_text(1) == "due in 1 day"
    assert deadline_text(0) == "due today"
    assert deadline_text(-1) == "overdue by 1 day"
    assert deadline_text(-3) == "overdue by 3 days"


def test_the_assessment_page_and_my_assessments_say_when_it_is_due(client, editor_a, palmira_draft):
    client.force_login(editor_a)
    days = palmira_draft.round.days_left()
    assert days > 0
    for url in (palmira_draft.get_absolute_url(), reverse("criteria:my-assessments")):
        assert f"due in {days} days" in client.get(url).content.decode()


def test_the_review_queue_shows_overdue_and_submitted_late(client, secretariat, palmira_draft):
    Round.objects.filter(pk=palmira_draft.round_id).update(
        opens_on=timezone.localdate() - dt.timedelta(days=60),
        closes_on=timezone.localdate() - dt.timedelta(days=2))
    client.force_login(secretariat)
    assert "overdue by 2 days" in client.get(reverse("criteria:review-queue")).content.decode()
    Assessment.objects.filter(pk=palmira_draft.pk).update(status="submitted",
                                                  submitted_at=timezone.now())
    assert "submitted late" in client.get(reverse("criteria:review-queue")).content.decode()


# --- the secretariat's pages ----------------------------------------------------------------


def test_the_secretariat_opens_a_round_and_invites_an_office(client, secretariat, pioc, oakland):
    client.force_login(secretariat)
    data = {"network": pioc.pk, "name": "2026/27", "code": "2026/27",
            "framework": Framework.objects.default().pk, "opens_on": "2026-12-01",
            "closes_on": "2027-02-01", "invited_offices": [oakland.pk]}
    refused = client.post(reverse("criteria:round-create"), data)
    assert refused.status_code == 422
    assert "Code: The code may contain only lowercase letters" in refused.content.decode()
    assert not Round.objects.filter(name="2026/27").exists()
    data["code"] = "2026-27"
    assert client.post(reverse("criteria:round-create"), data).status_code == 302
    rnd = Round.objects.get(network=pioc, code="2026-27")
    assert list(rnd.invited_offices.all()) == [oakland] and rnd.name == "2026/27"
    # uninvite, then close
    edit = {**data, "invited_offices": []}
    assert client.post(reverse("criteria:round-edit", args=[rnd.pk]), edit).status_code == 302
    assert not rnd.invited_offices.exists()
    assert client.post(reverse("criteria:round-close", args=[rnd.pk])).status_code == 302
    rnd.refresh_from_db()
    assert rnd.closed_at is not None and not rnd.is_open()


def test_offices_outside_the_network_cannot_be_invited(client, secretariat, pioc,
                                                       other_network):
    client.force_login(secretariat)
    data = {"network": pioc.pk, "name": "X", "code": "x",
            "framework": Framework.objects.default().pk, "opens_on": "2026-12-01",
            "closes_on": "2027-02-01", "invited_offices": [other_network.office.pk]}
    response = client.post(reverse("criteria:round-create"), data)
    assert response.status_code == 422 and not Round.objects.filter(code="x").exists()


def test_another_networks_round_is_a_404(client, other_secretariat, secretariat, pioc):
    rnd = make_round(pioc, "2050")
    client.force_login(other_secretariat)
    assert client.get(reverse("criteria:round-edit", args=[rnd.pk])).status_code == 404
    assert client.post(reverse("criteria:round-close", args=[rnd.pk])).status_code == 404
    assert "2050" not in client.get(reverse("criteria:round-list")).content.decode()
    rnd.refresh_from_db()
    assert rnd.closed_at is None


# --- reminders --------------------------------------------------------------------------------


@pytest.fixture
def reminder_round(pioc, oakland, editor_a, editor_b, palmira_draft):
    """Palmira (started, palmira_draft) and Oakland (not started) invited; closes in 3 days."""
    today = timezone.localdate()
    Round.objects.filter(pk=palmira_draft.round_id).update(closes_on=today + dt.timedelta(days=3))
    palmira_draft.round.invited_offices.add(oakland)
    User.objects.filter(pk=editor_b.pk).update(preferred_language="es")
    User.objects.filter(pk=editor_a.pk).update(preferred_language="")
    return Round.objects.get(pk=palmira_draft.round_id)


def test_reminders_go_to_every_invited_office_not_yet_submitted_once(reminder_round, editor_a,
                                                                       editor_b, palmira_draft):
    assert send_reminders() == 2
    assert send_reminders() == 0  # a rerun sends nothing again
    assert ReminderSent.objects.filter(round=reminder_round, kind="3_days").count() == 2
    by_to = {m.to[0]: m for m in mail.outbox}
    assert set(by_to) == {editor_a.email, editor_b.email}
    palmira = by_to[editor_a.email]
    assert "due in 3 days" in palmira.subject
    assert palmira_draft.get_absolute_url() in palmira.body  # a started assessment: link to it
    oakland = by_to[editor_b.email]
    assert "vence en 3 días" in oakland.subject  # editor_b reads Spanish
    assert reverse("criteria:assessment-start", args=["oakland-dvp"]) in oakland.body


def test_no_reminder_after_submitting_and_once_more_when_overdue(reminder_round, palmira_draft,
                                                                  editor_a):
    Assessment.objects.filter(pk=palmira_draft.pk).update(status="submitted",
                                                  submitted_at=timezone.now())
    send_reminders()
    assert editor_a.email not in [m.to[0] for m in mail.outbox]
    mail.outbox.clear()
    overdue = timezone.localdate() + dt.timedelta(days=5)
    assert send_reminders(today=overdue) == 1  # Oakland, not started
    assert send_reminders(today=overdue + dt.timedelta(days=1)) == 0
    assert "vencido" in mail.outbox[0].subject


def test_a_failed_send_is_not_recorded_and_is_retried(reminder_round, monkeypatch):
    import criteria.reminders as reminders

    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(reminders, "send_mail", broken)
    with pytest.raises(OSError):
        send_reminders()
    assert not ReminderSent.objects.exists()
    monkeypatch.undo()
    assert send_reminders() == 2


# --- API and exports keyed on the round code ------------------------------------------------


def test_api_gives_and_filters_by_round_code(client, researcher):
    client.force_login(researcher)
    data = client.get("/api/assessments/?round=2023").json()
    rows = data["results"] if isinstance(data, dict) else data
    assert rows and {r["round"] for r in rows} == {"2023"}
    assert {r["round_name"] for r in rows} == {"2023"}
    assert client.get("/api/assessments/?round=1999").json()["count"] == 0


def test_comparison_rejects_a_round_that_is_not_a_code(client, researcher):
    client.force_login(researcher)
    response = client.get("/compare/?round=2026/27")
    assert response.status_code in (200, 400, 422)
    assert "A round is a code" in response.content.decode()
    assert client.get("/compare/?round=2023").status_code == 200
