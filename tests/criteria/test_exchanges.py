"""Peer exchange: who is shown above an office on a criterion, and asking, answering and
following up a request (access, double submissions, stale changes, emails, the inbox)."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cities.models import Office, OfficeMembership, User
from criteria import exchanges, workflow
from criteria.models import (
    Action,
    Assessment,
    CriterionResponse,
    Evidence,
    ExchangeEvent,
    ExchangeRequest,
    ExchangeSeen,
)
from criteria.peers import peers_above, words

pytestmark = pytest.mark.django_db

EDMONTON = "reach-edmonton"


def _criterion(assessment, number):
    return assessment.framework.criteria.get(number=number)


@pytest.fixture
def peer_editor(db):
    """An editor of REACH Edmonton (the seeded peer has none), reading Spanish."""
    user = User.objects.create_user("reach-editor", "reach@example.org", "x-unused-x",
                                    preferred_language="es")
    OfficeMembership.objects.create(user=user, office=Office.objects.get(slug=EDMONTON),
                                    role=OfficeMembership.Role.EDITOR)
    return user


def _answer(draft, number, *, level, opportunities, by):
    response = draft.responses.get(criterion__number=number)
    return workflow.save_response(response=response, content={
        "level": level, "current_strengths": "Some", "opportunities": opportunities,
        "confidence": "medium", "not_applicable": False, "not_applicable_reason": ""},
        base_version=response.version, by=by)


def _ask(draft, editor, number=2, key=None, message="How did you do it?"):
    return exchanges.request_exchange(
        assessment=draft, criterion=_criterion(draft, number),
        peer_office=Office.objects.get(slug=EDMONTON), message=message, by=editor,
        submission_key=key)


# --- the selector ----------------------------------------------------------------------------


def test_peers_are_published_assessments_at_least_one_level_above(palmira_draft, editor_a):
    _answer(palmira_draft, 3, level=1, opportunities="", by=editor_a)
    selection = peers_above(assessment=palmira_draft, criterion=_criterion(palmira_draft, 3),
                            user=editor_a)
    assert selection.level == 1 and selection.floor == 2 and selection.is_weak
    assert selection.peers, "Cali (2) and Edmonton (3) are above level 1 on criterion 3"
    assert all(p.level >= 2 for p in selection.peers)
    assert all(p.assessment.status == Assessment.Status.PUBLISHED for p in selection.peers)
    assert palmira_draft.office not in [o for p in selection.peers for o in p.offices]
    # Bristol and Rosario (level 1) are not above.
    cities = {p.assessment.city.slug for p in selection.peers}
    assert cities == {"cali", "edmonton"}
    assert selection.tradeoffs  # criterion 3's tradeoffs from the report


def test_peers_only_from_assessments_the_reader_may_see(palmira_draft, editor_a):
    Assessment.objects.filter(city__slug="edmonton").update(is_public=False)
    selection = peers_above(assessment=palmira_draft, criterion=_criterion(palmira_draft, 3),
                            user=editor_a)
    assert "edmonton" not in {p.assessment.city.slug for p in selection.peers}


def test_peers_sharing_words_with_the_opportunities_come_first(palmira_draft, editor_a):
    # Edmonton's good practice on criterion 3 is about a community-informed baseline and
    # partner check-ins; Cali's strengths are about continuously updated diagnostics.
    _answer(palmira_draft, 3, level=1, by=editor_a,
            opportunities="Hold regular partner check-ins and build a community baseline.")
    selection = peers_above(assessment=palmira_draft, criterion=_criterion(palmira_draft, 3),
                            user=editor_a)
    first = selection.peers[0]
    assert first.assessment.city.slug == "edmonton"
    assert {"baseline", "partner", "community"} <= set(first.shared)


def test_verified_evidence_breaks_a_tie(palmira_draft, editor_a):
    _answer(palmira_draft, 3, level=0, opportunities="", by=editor_a)
    cali = CriterionResponse.objects.get(assessment__city__slug="cali",
                                         assessment__status="published", criterion__number=3)
    Evidence.objects.filter(response=cali).update(strength=Evidence.Strength.VERIFIED)
    selection = peers_above(assessment=palmira_draft, criterion=_criterion(palmira_draft, 3),
                            user=editor_a)
    assert selection.peers[0].assessment.city.slug == "cali"
    assert selection.peers[0].verified == 2
    assert selection.peers[0].evidence[0].strength == Evidence.Strength.VERIFIED


def test_words_fold_accents_and_plurals_and_drop_common_words():
    assert words("Diagnósticos y diagnóstico, about the OFFICE") == {"diagnostico"}


# --- asking -----------------------------------------------------------------------------------


def test_a_double_submission_makes_one_request(client, palmira_draft, editor_a):
    client.force_login(editor_a)
    url = reverse("criteria:exchange-new", args=[palmira_draft.pk, 2])
    data = {"peer_office": Office.objects.get(slug=EDMONTON).pk, "message": "Can we talk?",
            "submission_key": str(uuid.uuid4())}
    first = client.post(url, data)
    second = client.post(url, data)
    made = ExchangeRequest.objects.filter(requester_office=palmira_draft.office,
                                          criterion__number=2)
    assert made.count() == 1
    assert first.status_code == second.status_code == 302
    assert second.url == first.url == made.get().get_absolute_url()
    assert ExchangeEvent.objects.filter(exchange=made.get()).count() == 1


def test_a_bad_request_names_the_field(client, palmira_draft, editor_a):
    client.force_login(editor_a)
    url = reverse("criteria:exchange-new", args=[palmira_draft.pk, 2])
    page = client.post(url, {"peer_office": Office.objects.get(slug=EDMONTON).pk,
                             "message": "", "submission_key": str(uuid.uuid4())})
    assert page.status_code == 422
    assert "Your message: Write a few words to the peer office." in page.content.decode()
    # Oakland is not among the peers of criterion 2 (it has no published assessment).
    page = client.post(url, {"peer_office": Office.objects.get(slug="oakland-dvp").pk,
                             "message": "Hi", "submission_key": str(uuid.uuid4())})
    assert page.status_code == 422
    assert "Peer office: Choose one of the peer offices shown." in page.content.decode()
    assert not ExchangeRequest.objects.filter(criterion__number=2).exists()


def test_a_second_open_request_to_the_same_peer_is_refused_on_the_field(palmira_draft,
                                                                       editor_a):
    _ask(palmira_draft, editor_a)
    with pytest.raises(workflow.WorkflowError) as refused:
        _ask(palmira_draft, editor_a)
    assert refused.value.problems[0][0] == "peer_office"


def test_viewers_cannot_ask(palmira_draft, viewer_a):
    with pytest.raises(PermissionDenied):
        _ask(palmira_draft, viewer_a)


def test_asking_tells_the_peers_editors_and_the_secretariat_in_their_language(
        palmira_draft, editor_a, peer_editor, secretariat, mailoutbox,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        exchange = _ask(palmira_draft, editor_a)
    event = exchange.events.get()
    assert exchanges.send_notices(event.pk) == 2
    by_address = {m.to[0]: m for m in mailoutbox}
    assert set(by_address) == {peer_editor.email, secretariat.email}
    assert by_address[peer_editor.email].subject.startswith("Intercambio")
    assert "How did you do it?" in by_address[secretariat.email].body
    assert exchange.get_absolute_url() in by_address[secretariat.email].body
    # The worker may run the task again: nobody is told twice.
    assert exchanges.send_notices(event.pk) == 0
    assert len(mailoutbox) == 2


# --- answering and following up ---------------------------------------------------------------


def test_the_peer_accepts_and_the_requester_marks_it_held(palmira_draft, editor_a,
                                                         peer_editor):
    exchange = _ask(palmira_draft, editor_a)
    with pytest.raises(PermissionDenied):  # the requester does not answer for the peer
        exchanges.change_status(exchange=exchange, status="accepted", note="",
                                base_version=exchange.version, by=editor_a)
    accepted = exchanges.change_status(exchange=exchange, status="accepted",
                                       note="Happy to.", base_version=1, by=peer_editor)
    assert accepted.status == "accepted" and accepted.version == 2
    held = exchanges.change_status(exchange=accepted, status="held", note="Call on Monday",
                                   base_version=2, by=editor_a)
    assert held.status == "held"
    assert list(held.events.values_list("status", "note", "by")) == [
        ("requested", "How did you do it?", editor_a.pk),
        ("accepted", "Happy to.", peer_editor.pk),
        ("held", "Call on Monday", editor_a.pk)]


def test_the_requester_withdraws_and_may_ask_again(client, palmira_draft, editor_a,
                                                  peer_editor, mailoutbox,
                                                  django_capture_on_commit_callbacks):
    exchange = _ask(palmira_draft, editor_a)
    with pytest.raises(PermissionDenied):  # the peer does not withdraw the request for them
        exchanges.change_status(exchange=exchange, status="withdrawn", note="",
                                base_version=1, by=peer_editor)
    client.force_login(editor_a)
    page = client.get(exchange.get_absolute_url()).content.decode()
    assert "Withdraw the request" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("criteria:exchange-status", args=[exchange.pk]), {
            "status": "withdrawn", "note": "We found the answer in the report.",
            "version": "1"})
    assert response.status_code == 302
    exchange.refresh_from_db()
    assert exchange.status == "withdrawn"
    event = exchange.events.get(status="withdrawn")
    assert exchanges.send_notices(event.pk) == 1  # the peer's editor, in Spanish
    assert mailoutbox[-1].to == [peer_editor.email]
    assert "We found the answer in the report." in mailoutbox[-1].body
    # Nothing more can be done with it, and a new request to the same peer is possible.
    assert exchanges.allowed_changes(exchange, exchanges.exchange_access(
        peer_editor, requester_office=exchange.requester_office,
        peer_office=exchange.peer_office)) == []
    assert _ask(palmira_draft, editor_a).status == "requested"


def test_a_stale_answer_changes_nothing(client, palmira_draft, editor_a, peer_editor):
    exchange = _ask(palmira_draft, editor_a)
    exchanges.change_status(exchange=exchange, status="accepted", note="Yes", base_version=1,
                            by=peer_editor)
    peer_editor.preferred_language = "en"  # the page in English, for the text below
    peer_editor.save(update_fields=["preferred_language"])
    client.force_login(peer_editor)
    # A second tab still shows version 1 and declines.
    page = client.post(reverse("criteria:exchange-status", args=[exchange.pk]),
                       {"status": "declined", "note": "No time", "version": 1})
    exchange.refresh_from_db()
    assert exchange.status == "accepted" and exchange.version == 2
    assert exchange.events.count() == 2
    # The person is told what happened, and their note is shown back to them.
    assert page.status_code == 409
    assert "it is now “Accepted”" in page.content.decode()
    assert "No time" in page.content.decode()


def test_a_stale_change_shows_what_happened(palmira_draft, editor_a, peer_editor):
    exchange = _ask(palmira_draft, editor_a)
    exchanges.change_status(exchange=exchange, status="accepted", note="", base_version=1,
                            by=peer_editor)
    with pytest.raises(workflow.StaleVersion):
        exchanges.change_status(exchange=exchange, status="declined", note="",
                                base_version=1, by=peer_editor)


def test_an_accepted_request_becomes_an_action_in_one_step(client, palmira_draft, editor_a,
                                                          peer_editor):
    exchange = _ask(palmira_draft, editor_a)
    client.force_login(editor_a)
    url = reverse("criteria:action-add", args=[palmira_draft.pk]) + f"?exchange={exchange.pk}"
    assert client.get(url).status_code == 403  # not accepted yet
    exchanges.change_status(exchange=exchange, status="accepted", note="", base_version=1,
                            by=peer_editor)
    form = client.get(url).context["form"]
    assert form.initial["criterion"] == exchange.criterion_id
    assert "REACH Edmonton" in form.initial["title"]
    assert "REACH Edmonton" in form.initial["partners"]
    data = {name: form.initial.get(name) or "" for name in
            ("title", "criterion", "opportunity", "partners", "status", "exchange")}
    data["submission_key"] = str(form.initial["submission_key"])
    assert client.post(reverse("criteria:action-add", args=[palmira_draft.pk]),
                       data).status_code == 302
    action = Action.objects.get(exchanges=exchange)
    assert action.assessment == palmira_draft and action.criterion_id == exchange.criterion_id
    # Once it is an action, it is not offered again.
    assert client.get(url).status_code == 403


def test_another_offices_exchange_cannot_become_my_action(client, palmira_draft, editor_a,
                                                        editor_b, peer_editor):
    exchange = _ask(palmira_draft, editor_a)
    exchanges.change_status(exchange=exchange, status="accepted", note="", base_version=1,
                            by=peer_editor)
    oakland = Assessment.objects.filter(office__slug="oakland-dvp").first()
    client.force_login(editor_b)
    if oakland is not None:
        url = reverse("criteria:action-add", args=[oakland.pk]) + f"?exchange={exchange.pk}"
        assert client.get(url).status_code == 404
    assert client.get(exchange.get_absolute_url()).status_code == 404


# --- the inbox and the network list ----------------------------------------------------------


def test_inbox_marks_what_is_new_and_opening_it_clears_the_mark(client, palmira_draft,
                                                               editor_a, peer_editor):
    exchange = _ask(palmira_draft, editor_a)
    client.force_login(peer_editor)
    page = client.get(reverse("criteria:exchange-inbox"))
    received = {r.pk: r for r in page.context["received"]}
    # The seeded demo request is to REACH Edmonton too; both are new to its new editor.
    assert received[exchange.pk].is_new and page.context["new_count"] == 2
    client.get(exchange.get_absolute_url())
    page = client.get(reverse("criteria:exchange-inbox"))
    received = {r.pk: r for r in page.context["received"]}
    assert not received[exchange.pk].is_new and page.context["new_count"] == 1
    # The requester made it: not new to them; the answer is.
    exchanges.change_status(exchange=exchange, status="accepted", note="", base_version=1,
                            by=peer_editor)
    client.force_login(editor_a)
    page = client.get(reverse("criteria:exchange-inbox"))
    sent = {r.pk: r for r in page.context["sent"]}
    assert sent[exchange.pk].is_new
    assert ExchangeSeen.objects.filter(exchange=exchange, user=peer_editor).exists()


def test_inbox_query_count_is_fixed(client, palmira_draft, editor_a, peer_editor,
                                    django_assert_num_queries):
    for number in (2, 4, 5, 6):
        _ask(palmira_draft, editor_a, number=number)
    client.force_login(editor_a)
    url = reverse("criteria:exchange-inbox")
    # 1 session, 2 user, 3 their roles (the MFA rule, their offices, the menu's checks),
    # 4 the requests (with criterion, both offices and cities, and the seen mark). Four
    # requests or forty.
    with django_assert_num_queries(4):
        page = client.get(url)
    assert len(page.context["sent"]) == 5  # with the seeded demo request


def test_network_list_is_the_secretariats_filtered_by_criterion_and_status(
        client, palmira_draft, editor_a, peer_editor, secretariat, other_secretariat,
        django_assert_num_queries):
    asked = _ask(palmira_draft, editor_a, number=2)
    exchanges.change_status(exchange=asked, status="declined", note="", base_version=1,
                            by=peer_editor)
    _ask(palmira_draft, editor_a, number=4)
    client.force_login(secretariat)
    url = reverse("criteria:exchange-network")
    # 1 session, 2 user, 3 their roles (the MFA rule, the page's "is secretariat" check,
    # the menu's checks), 4 framework, 5 criteria, 6 the requests (with criterion, offices,
    # cities, requester).
    with django_assert_num_queries(6):
        page = client.get(url)
    assert page.context["total"] == 3
    page = client.get(url, {"criterion": 2, "status": "declined"})
    assert [r.pk for _c, rows in page.context["groups"] for r in rows] == [asked.pk]
    client.force_login(other_secretariat)
    assert client.get(url).context["total"] == 0
    assert client.get(asked.get_absolute_url()).status_code == 404


def test_the_workers_sweep_sends_what_was_never_sent(palmira_draft, editor_a, peer_editor,
                                                    mailoutbox):
    from datetime import timedelta

    exchange = _ask(palmira_draft, editor_a)  # its task never ran (no on-commit here)
    event = exchange.events.get()
    assert exchanges.send_pending_notices() == 0  # too recent: the task may still run
    ExchangeEvent.objects.filter(pk=event.pk).update(at=event.at - timedelta(minutes=10))
    # The seeded demo request was marked told when seeded: it is not sent.
    assert exchanges.send_pending_notices() == 2  # REACH's editor and the secretariat
    assert exchanges.send_pending_notices() == 0
    assert len(mailoutbox) == 2
