"""Stored briefs are never stale: every table a published brief reads is either frozen with
its assessment or in `brief_cache.BRIEF_INPUT_MODELS`, whose saves move every stored key.

The briefs are rendered here (as a visitor and as the secretariat, whose peers differ) and the
tables their queries read are collected: a new model the brief starts reading, and nobody
wires to the generation, fails this test instead of serving an old brief.
"""

import re

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from criteria.models import Assessment
from reports import brief_cache

pytestmark = pytest.mark.django_db

#: Frozen with a published assessment (tests/criteria/test_frozen.py): its own row (a
#: published assessment's save moves the generation, `bump_if_published`), its answers,
#: evidence, profile and funding; plus the cache's own bookkeeping.
FROZEN = {"criteria.Assessment", "criteria.CriterionResponse", "criteria.Evidence",
          "criteria.OfficeProfile", "criteria.FundingSource",
          "reports.BriefInputs", "reports.StoredBrief"}
#: Read to decide who the reader is and what they may see; part of the key (`reader_view`).
READER = {"cities.OfficeMembership", "cities.NetworkRole", "cities.User"}

TABLE = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"', re.IGNORECASE)


def _tables_read(sqls):
    by_table = {m._meta.db_table: m._meta.label for m in apps.get_models(include_auto_created=True)}
    labels = set()
    for sql in sqls:
        for table in TABLE.findall(sql):
            labels.add(by_table[table])
    return labels


def test_every_table_a_published_brief_reads_moves_its_key(secretariat):
    published = list(Assessment.objects.filter(status=Assessment.Status.PUBLISHED))
    assert len(published) >= 4
    with CaptureQueriesContext(connection) as captured:
        for assessment in published:
            for reader in (AnonymousUser(), secretariat):
                for lang in ("en", "es"):
                    brief_cache.office_brief_page(assessment, reader=reader, lang=lang)
    read = _tables_read(q["sql"] for q in captured.captured_queries)
    assert "criteria.Criterion" in read and "cities.City" in read  # the capture works
    unwatched = read - set(brief_cache.BRIEF_INPUT_MODELS) - FROZEN - READER
    assert not unwatched, (
        f"The brief reads {sorted(unwatched)}, which no signal in reports.apps watches: add "
        "them to brief_cache.BRIEF_INPUT_MODELS (or, if frozen with a published assessment, "
        "to FROZEN here with the test that proves it).")


def _receivers(signal, model):
    live = signal._live_receivers(model)  # Django 5: (sync, async) receivers
    return [*live[0], *live[1]] if isinstance(live, tuple) else list(live)


def test_every_input_model_is_wired_to_the_generation():
    from django.db.models.signals import post_delete, post_save

    for label in brief_cache.BRIEF_INPUT_MODELS:
        model = apps.get_model(label)
        for signal in (post_save, post_delete):
            assert brief_cache.bump_generation in _receivers(signal, model), label
