"""Peers to learn from: offices one level or more above on a criterion, and why each is shown.

A selector (it returns rows and numbers; templates translate and render). Peers come only
from published assessments the reader may see (`Assessment.objects.visible_to(...)
.published()`), the latest one per office (or per city, for a city-wide assessment), never
the office's own. Relevance is meant to be explained in one line, so it is simple: the
words a peer's current strengths and good practices share with the office's own
"opportunities to enhance effectiveness", then independently verified and documented
evidence, then the peer's level.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Prefetch

from cities.models import Office

from .models import (
    LEVEL_MAX,
    Assessment,
    CriterionResponse,
    Evidence,
    GoodPractice,
    Tradeoff,
)

#: At or below this level (or unanswered, or short of its target) a criterion is "weak":
#: the pages offer peers for it first.
WEAK_AT_MOST = 2
PEERS_SHOWN = 6

# Words that say nothing about a practice, in the product's three languages. Short words
# (under five letters) are dropped anyway.
_STOP = set("""
about after again their there these those which while where would could should other
being having through under until within without every among between because before
office offices city cities criterion their them they thing things what when with your yours
sobre entre desde hasta donde cuando porque tiene tienen hacer puede pueden nuestra nuestro
nuestras nuestros otras otros estos estas esta este como para todas todos sobre ciudad
ciudades oficina oficinas mucho mucha muchos muchas mayor menor
entre desde ainda quando porque fazer pode podem nossa nosso nossas nossos outras outros
estes estas esta este como para todas todos cidade cidades muito muita muitos muitas
""".split())
_WORD = re.compile(r"[^\W\d_]{5,}", re.UNICODE)


def _fold(text):
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def words(text: str) -> set[str]:
    """The distinctive words of `text`: five letters or more, accents folded, a plural's
    final "s" dropped, common words left out."""
    found = set()
    for word in _WORD.findall(_fold(text or "")):
        if word in _STOP:
            continue
        found.add(word[:-1] if word.endswith("s") and len(word) > 5 else word)
    return found


def _texts(obj, *names):
    """A row's text and its stored translations (seeded rows), so a reader's words in
    Spanish meet a peer's strengths written in English where a translation exists."""
    out = []
    for name in names:
        out.append(getattr(obj, name, "") or "")
        for entry in (getattr(obj, "content_translations", None) or {}).values():
            out.append((entry.get(name) or {}).get("text", ""))
        for suffix in ("en", "es", "pt_br"):  # framework content (django-modeltranslation)
            out.append(getattr(obj, f"{name}_{suffix}", "") or "")
    return " ".join(out)


@dataclass
class Peer:
    assessment: Assessment
    response: CriterionResponse
    level: int
    offices: list  # offices to ask: the assessment's, else its city's
    practices: list  # GoodPractice of this criterion, of the office or its city
    evidence: list  # Evidence, verified first
    shared: list[str] = field(default_factory=list)  # words in common with the opportunities
    verified: int = 0
    documented: int = 0

    @property
    def rank(self):
        return (-len(self.shared), -self.verified, -self.documented, -self.level,
                self.assessment.city.name)


@dataclass
class PeerExchange:
    criterion: object
    response: CriterionResponse | None
    level: int | None  # the office's own level (None: not answered yet)
    target: int | None
    peers: list[Peer]
    tradeoffs: list[Tradeoff]
    opportunity_words: set[str]

    @property
    def is_weak(self):
        return is_weak(self.level, self.target)

    @property
    def floor(self):
        """Peers are at this level or above."""
        return min((self.level if self.level is not None else 0) + 1, LEVEL_MAX)


def is_weak(level, target=None):
    if level is None:
        return True
    return level <= WEAK_AT_MOST or (target is not None and level < target)


def _peer_responses(*, assessment, user, criterion_ids):
    """Responses of the latest visible published assessment per office (or city), other than
    `assessment`'s office, on `criterion_ids`. One query."""
    published = Assessment.objects.visible_to(user).published().filter(
        framework_id=assessment.framework_id)
    if assessment.office_id is not None:
        published = published.exclude(office_id=assessment.office_id)
    published = published.exclude(city_id=assessment.city_id, office__isnull=True)
    return (CriterionResponse.objects
            .filter(assessment__in=published.values("pk"), criterion_id__in=criterion_ids,
                    level__isnull=False, not_applicable=False)
            .select_related("assessment__office", "assessment__city", "assessment__round")
            .order_by("-assessment__published_at", "-assessment__pk"))


def _latest_per_subject(responses):
    seen, out = set(), []
    for response in responses:
        a = response.assessment
        subject = ("office", a.office_id) if a.office_id else ("city", a.city_id)
        if (subject, response.criterion_id) in seen:
            continue
        seen.add((subject, response.criterion_id))
        out.append(response)
    return out


def peer_counts(*, assessment, user, responses, targets=None) -> dict[int, int]:
    """For the plan page: criterion id → how many peers are above the office's level there.
    One query for all criteria."""
    targets = targets or {}
    own = {r.criterion_id: r.level for r in responses}
    counts = dict.fromkeys(own, 0)
    rows = _peer_responses(assessment=assessment, user=user, criterion_ids=list(own))
    rows = rows.select_related(None).select_related("assessment").only(
        "pk", "criterion_id", "level", "assessment__office_id", "assessment__city_id",
        "assessment__published_at")
    for response in _latest_per_subject(rows):
        floor = (own[response.criterion_id] or 0) + 1
        if response.level >= floor:
            counts[response.criterion_id] += 1
    return counts


def peers_above(*, assessment, criterion, user, limit=PEERS_SHOWN) -> PeerExchange:
    """Who is one level or more above `assessment`'s office on `criterion`, most relevant
    first, with what they did. Six queries whatever the number of peers: the office's
    response and target, the peers' responses, their evidence, the good practices, the
    cities' offices, the criterion's tradeoffs."""
    from .plan_models import CriterionTarget

    response = (CriterionResponse.objects.filter(assessment=assessment, criterion=criterion)
                .first())
    target = (CriterionTarget.objects.filter(assessment=assessment, criterion=criterion)
              .values_list("level", flat=True).first())
    level = response.level if response is not None and not response.not_applicable else None
    floor = min((level if level is not None else 0) + 1, LEVEL_MAX)
    opportunity_words = words(_texts(response, "opportunities")) if response else set()

    candidates = [r for r in _latest_per_subject(
        _peer_responses(assessment=assessment, user=user, criterion_ids=[criterion.pk])
        .prefetch_related(Prefetch(
            "evidence", queryset=Evidence.objects.order_by("-strength", "title", "pk")
            .only("pk", "response_id", "title", "kind", "strength", "content_translations"))))
        if r.level >= floor]

    city_ids = {r.assessment.city_id for r in candidates}
    practices = list(GoodPractice.objects.filter(criterion=criterion, city_id__in=city_ids)
                     .select_related("office").order_by("title"))
    offices_by_city = {}
    for office in Office.objects.filter(city_id__in=city_ids).exclude(
            pk=assessment.office_id).order_by("name"):
        offices_by_city.setdefault(office.city_id, []).append(office)

    peers = []
    for r in candidates:
        a = r.assessment
        own_practices = [p for p in practices if p.city_id == a.city_id and (
            a.office_id is None or p.office_id in (None, a.office_id))]
        evidence = sorted(r.evidence.all(), key=lambda e: (
            e.strength != Evidence.Strength.VERIFIED,
            e.strength != Evidence.Strength.DOCUMENTED, e.title))
        text = " ".join([_texts(r, "current_strengths")]
                        + [_texts(p, "title", "summary") for p in own_practices])
        offices = [a.office] if a.office_id else offices_by_city.get(a.city_id, [])
        peers.append(Peer(
            assessment=a, response=r, level=r.level, offices=offices,
            practices=own_practices, evidence=evidence,
            shared=sorted(opportunity_words & words(text)),
            verified=sum(e.strength == Evidence.Strength.VERIFIED for e in evidence),
            documented=sum(e.strength == Evidence.Strength.DOCUMENTED for e in evidence),
        ))
    peers.sort(key=lambda p: p.rank)
    return PeerExchange(
        criterion=criterion, response=response, level=level, target=target,
        peers=peers[:limit], tradeoffs=list(criterion.tradeoffs.order_by("order", "pk")),
        opportunity_words=opportunity_words,
    )
