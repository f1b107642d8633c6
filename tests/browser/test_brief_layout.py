"""The office brief page at 1280 px with the strings people paste: nothing scrolls sideways."""

import pytest

from criteria.models import Assessment, Evidence

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_WORD = "Unbroken" + "abcdefghij" * 29  # fits the 300-character evidence source
# 299 characters: it fits the evidence title column (300) on PostgreSQL too
LONG_URL = "https://example.org/" + "/".join(f"segment{i:03d}-of-a-pasted-link" for i in range(10))


def test_brief_page_with_long_unbroken_strings_has_no_horizontal_scroll(
    page, seeded_live_server, screenshot
):
    cali = Assessment.objects.get(city__slug="cali", round__code="2023")
    assert cali.is_public  # anonymous readers may open it
    first = cali.responses.order_by("criterion__number").first()
    first.current_strengths = LONG_WORD
    first.opportunities = "Before " + LONG_WORD + " after"
    first.save(update_fields=["current_strengths", "opportunities"])
    Evidence.objects.create(response=first, kind=Evidence.Kind.LINK, title=LONG_URL,
                            url=LONG_URL, source=LONG_WORD, note=LONG_WORD)
    cali.profile.focus_population = LONG_WORD
    cali.profile.save(update_fields=["focus_population"])

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{seeded_live_server.url}/reports/briefs/{cali.pk}/")
    assert page.get_by_text(LONG_URL).count() >= 1
    screenshot("brief-long-strings-1280")
    overflow = page.evaluate("""() => {
        const root = document.scrollingElement;
        const wide = [...document.querySelectorAll('#brief table, #brief dl, #brief li, #brief p')]
            .filter(el => el.scrollWidth > el.clientWidth + 1)
            .map(el => el.tagName + '.' + el.className);
        return {page: root.scrollWidth - root.clientWidth, wide};
    }""")
    assert overflow == {"page": 0, "wide": []}
