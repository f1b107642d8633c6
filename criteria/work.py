""""Your work": what a signed-in editor has to do next, in one selector.

Drafts they may edit (with progress), open review comments on those drafts, and the
invitations they sent that are still waiting. Rows carry codes and numbers; the template
words them. Each row is one object per thing to do, so a due date can join it later.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from cities.models import Office, OfficeMembership

from .models import Assessment, CriterionResponse, ReviewComment


@dataclass
class DraftRow:
    assessment: Assessment
    answered: int
    total: int
    next_number: int | None  # the first criterion still incomplete, None when all are


@dataclass
class YourWork:
    drafts: list[DraftRow] = field(default_factory=list)
    comments: list[ReviewComment] = field(default_factory=list)
    invitations: list[OfficeMembership] = field(default_factory=list)
    manages_members: bool = False  # a lead (or secretariat): the invitations section applies

    @property
    def is_empty(self):
        return not (self.drafts or self.comments or self.invitations)


def your_work(user) -> YourWork:
    """Five queries: drafts, their responses, open comments, invitations, whether the user
    manages any office's members."""
    drafts = list(
        Assessment.objects.editable_by(user)
        .select_related("office", "city", "round")
        .prefetch_related(Prefetch(
            "responses",
            queryset=CriterionResponse.objects.select_related("criterion")
            .order_by("criterion__number")))
        .order_by("office__name", "-updated_at")
    )
    rows = []
    for a in drafts:
        responses = list(a.responses.all())
        incomplete = [r.criterion.number for r in responses if not r.is_complete]
        rows.append(DraftRow(assessment=a, answered=len(responses) - len(incomplete),
                             total=len(responses),
                             next_number=incomplete[0] if incomplete else None))
    comments = list(
        ReviewComment.objects.visible_to(user)
        .filter(assessment__in=[a.pk for a in drafts], resolved=False)
        .select_related("author", "assessment__office", "response__criterion")
        .order_by("assessment__office__name", "response__criterion__number", "created_at")
    ) if drafts else []
    invitations = list(
        OfficeMembership.objects.invitations_sent_by(user)
        .select_related("user", "office").order_by("-created_at")
    )
    return YourWork(drafts=rows, comments=comments, invitations=invitations,
                    manages_members=Office.objects.members_managed_by(user).exists())
