"""People saving the same response at the same moment: exactly one wins, none is lost.

Real threads on real connections (a transactional test), as Django's own select_for_update
tests do. Runs on SQLite and, in CI, on PostgreSQL.
"""

import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from cities.models import User
from criteria import workflow
from criteria.models import Assessment, CriterionResponse

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("editors", [2, 6])
def test_concurrent_saves_of_one_response_one_wins_the_others_conflict(editors):
    with override_settings(DEBUG=True):
        call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    editor = User.objects.get(username="demo-editor")
    draft = Assessment.objects.get(office__slug="palmira-security-coexistence", round__code="2026")
    response = draft.responses.get(criterion__number=1)
    base = response.version
    history_before = response.history.count()
    barrier = threading.Barrier(editors)
    outcomes = []

    def save(text):
        try:
            barrier.wait(timeout=10)
            workflow.save_response(response=response, content={"current_strengths": text},
                                   base_version=base, by=editor)
            outcomes.append(("saved", text))
        except workflow.StaleVersion:
            outcomes.append(("conflict", text))
        except Exception as exc:  # noqa: BLE001 - any other failure must fail the test
            outcomes.append(("error", repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(f"from editor {i}",))
               for i in range(editors)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["conflict"] * (editors - 1) + ["saved"], outcomes
    winner = next(text for kind, text in outcomes if kind == "saved")
    fresh = CriterionResponse.objects.get(pk=response.pk)
    assert fresh.current_strengths == winner
    assert fresh.version == base + 1
    assert fresh.history.count() == history_before + 1
