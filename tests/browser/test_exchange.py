"""Peer exchange in a browser: demo-editor sees peers above on a weak criterion and asks one
on a slow link (a double click makes one request); the peer's editor accepts it from the
inbox; the requester turns it into an action; the secretariat sees it in its network list.
axe-core on every page; screenshots at 1280 and 390 px when $OVP_SCREENSHOTS is set."""

import pytest
from playwright.sync_api import expect

from .test_editing import draft, editor_page, slow_link
from .test_plan import _shoot

pytestmark = pytest.mark.django_db(transaction=True)


def _peer_editor():
    from cities.models import Office, OfficeMembership, User

    user = User.objects.create_user("reach-editor", "reach@example.org", "demo-pass-2026",
                                    first_name="Rémi", last_name="Reach")
    OfficeMembership.objects.create(user=user, office=Office.objects.get(slug="reach-edmonton"),
                                    role=OfficeMembership.Role.EDITOR)
    return user


def test_peer_exchange_from_weak_criterion_to_action(browser, seeded_live_server, sign_in,
                                                     axe):
    from cities.models import User
    from criteria import workflow
    from criteria.models import Action, ExchangeRequest

    base = seeded_live_server.url
    assessment = draft()
    editor = User.objects.get(username="demo-editor")
    response = assessment.responses.get(criterion__number=2)
    workflow.save_response(response=response, base_version=response.version, by=editor,
                           content={"level": 1, "current_strengths": "A few partners",
                                    "opportunities": "Co-design programs with community "
                                                     "partners and hand them over."})
    _peer_editor()

    # The requester: the criterion page shows peers above, the peers page what they did.
    page = editor_page(browser, base, sign_in, latency=0)
    page.goto(f"{base}/assessments/{assessment.pk}/criteria/2/")
    peers = page.locator("#peers")
    expect(peers).to_contain_text("REACH Edmonton Council for Safe Communities")
    peers.get_by_role("link", name="What they did, and request an exchange").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Peers further along")
    first = page.locator(".peer").first
    expect(first).to_contain_text("REACH Edmonton")  # level 4 and words in common
    expect(first).to_contain_text("Why shown:")
    expect(page.locator("#tradeoffs")).to_be_visible()
    assert axe(page) == []
    _shoot(page, "exchange-peers")

    # Ask on a slow link; a double click makes one request.
    first.get_by_role("link", name="Request an exchange with REACH Edmonton").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request an exchange")
    page.get_by_label("Your message").fill("How did you hand programs over to the community?")
    assert axe(page) == []
    _shoot(page, "exchange-form")
    slow_link(page)
    page.get_by_role("button", name="Send the request").dblclick()
    page.wait_for_url("**/exchanges/*/", timeout=15000)
    made = ExchangeRequest.objects.filter(requester_office=assessment.office,
                                          criterion__number=2)
    assert made.count() == 1
    exchange = made.get()
    assert exchange.events.count() == 1
    page.close()

    # The peer's editor: the inbox (from the menu) marks it new; they accept with a note.
    peer = editor_page(browser, base, sign_in, username="reach-editor", latency=0)
    peer.get_by_role("link", name="Exchanges", exact=True).click()
    row = peer.locator("tr", has_text="Consultations and community partnerships")
    expect(row).to_contain_text("New")
    assert axe(peer) == []
    _shoot(peer, "exchange-inbox")
    row.get_by_role("link").first.click()
    peer.get_by_label("Your note (optional)").fill(
        "Happy to: a call next week with our programs lead.")
    assert axe(peer) == []
    _shoot(peer, "exchange-detail-answer")
    peer.get_by_role("button", name="Accept").click()
    expect(peer.locator(".eyebrow")).to_contain_text("Accepted")
    exchange.refresh_from_db()
    assert exchange.status == "accepted"
    peer.close()

    # The requester turns it into an action of the plan in one step.
    page = editor_page(browser, base, sign_in, latency=0)
    page.goto(f"{base}{exchange.get_absolute_url()}")
    expect(page.get_by_text("Happy to: a call next week")).to_be_visible()
    page.get_by_role("link", name="Turn it into an action of your plan").click()
    expect(page.locator("#id_title")).to_have_value(
        "Learn from REACH Edmonton Council for Safe Communities on Consultations and "
        "community partnerships")
    expect(page.locator("#id_partners")).to_have_value(
        "REACH Edmonton Council for Safe Communities (Edmonton)")
    page.get_by_role("button", name="Add to the plan").click()
    page.wait_for_url(f"**/assessments/{assessment.pk}/plan/**", timeout=15000)
    action = Action.objects.get(exchanges=exchange)
    assert action.criterion.number == 2
    expect(page.locator(f"#action-{action.pk}")).to_be_visible()
    assert axe(page) == []
    _shoot(page, "exchange-plan")
    page.close()

    # The secretariat sees it among its network's requests, by criterion.
    sec = editor_page(browser, base, sign_in, username="demo-secretariat", latency=0)
    sec.get_by_role("link", name="Exchanges", exact=True).click()
    expect(sec.get_by_role("heading", level=1)).to_have_text(
        "Peer exchanges in your networks")
    sec.get_by_label("Criterion").select_option("2")
    sec.get_by_role("button", name="Filter").click()
    expect(sec.locator("table")).to_contain_text("REACH Edmonton Council for Safe Communities")
    expect(sec.locator("table")).to_contain_text("Accepted")
    assert axe(sec) == []
    _shoot(sec, "exchange-network")
    sec.close()
