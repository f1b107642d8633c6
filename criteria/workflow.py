"""Writes that touch several rows: starting, saving, submitting, reviewing, publishing.

Each is a keyword-only function under one transaction. Saves of a response are
compare-and-set on its `version`: a save based on an older version is refused with
`StaleVersion`, never applied, so two editors cannot silently overwrite each other.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cities.models import NetworkRole, OfficeMembership, User

from . import access
from .models import Assessment, CriterionResponse, Evidence, OfficeProfile, ReviewComment


class WorkflowError(Exception):
    """The step is not allowed now; `problems` says why, in words for the user."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


class StaleVersion(Exception):
    """The response changed since the editor's copy was loaded."""

    def __init__(self, current):
        self.current = current
        super().__init__(f"response {current.pk} is at version {current.version}")


# --- notices -------------------------------------------------------------------------------


def _absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def _notify(recipients, subject, body):
    emails = sorted({u.email for u in recipients if u.email})
    if not emails:
        return
    transaction.on_commit(
        lambda: send_mail(subject, body, None, emails, fail_silently=False)
    )


def _office_editors(assessment):
    return User.objects.filter(
        office_memberships__office_id=assessment.office_id,
        office_memberships__role=OfficeMembership.Role.EDITOR,
        is_active=True,
    )


def _secretariat(assessment):
    return User.objects.filter(
        network_roles__role=NetworkRole.Role.SECRETARIAT,
        network_roles__network__cities__id=assessment.city_id,
        is_active=True,
    ).distinct()


# --- starting ------------------------------------------------------------------------------

PROFILE_COPY_FIELDS = [
    f.name
    for f in OfficeProfile._meta.concrete_fields
    if f.name not in {"id", "assessment"}
]
OFFICE_FACTS = [
    "institutional_location", "staffing_model", "staff_expertise", "prevention_primary",
    "prevention_secondary", "prevention_tertiary", "focus_population",
]


@transaction.atomic
def start_assessment(*, office, framework, round, by, copy_from=None):
    """A new draft for `office`: blank, or copied forward from a published assessment."""
    if copy_from is not None:
        copy_from = Assessment.objects.select_related("profile").get(pk=copy_from.pk)
    if copy_from is not None and (
        copy_from.office_id != office.pk or copy_from.status != Assessment.Status.PUBLISHED
    ):
        raise WorkflowError([_("Only this office's published assessments can be copied.")])
    assessment = Assessment.objects.create(
        framework=framework, office=office, city_id=office.city_id,
        scope=Assessment.Scope.OFFICE, round=round, carried_from=copy_from,
    )
    if copy_from is not None and hasattr(copy_from, "profile"):
        values = {f: getattr(copy_from.profile, f) for f in PROFILE_COPY_FIELDS}
        profile = OfficeProfile.objects.create(assessment=assessment, **values)
        for source in copy_from.profile.funding_sources.all():
            source.pk = None
            source.profile = profile
            source.save()
    else:
        values = {f: getattr(office, f) for f in OFFICE_FACTS}
        OfficeProfile.objects.create(
            assessment=assessment, police_control=office.city.police_control, **values
        )

    previous = {}
    if copy_from is not None:
        previous = {
            r.criterion_id: r
            for r in copy_from.responses.prefetch_related("evidence")
        }
    for criterion in framework.criteria.all():
        old = previous.get(criterion.pk)
        response = CriterionResponse(assessment=assessment, criterion=criterion, updated_by=by)
        if old is not None:
            for name in ("level", "level_rationale", "not_applicable", "not_applicable_reason",
                         "current_strengths", "opportunities", "confidence"):
                setattr(response, name, getattr(old, name))
            response.carried_over = True
        response._history_user = by
        response.save()
        if old is not None:
            for evidence in old.evidence.all():
                evidence.pk = None
                evidence.response = response
                evidence.save()
    return assessment


# --- editing -------------------------------------------------------------------------------


def _claim(response_pk, base_version):
    """Compare-and-set: bump the version only if it is still `base_version`.

    The condition must stay on this one table: PostgreSQL re-checks a plain WHERE on the
    row it waited for, but not a subquery (which a filter across a join would become).
    The UPDATE holds the row's write lock until the transaction ends, so a concurrent save
    waits and then finds the version moved on.
    """
    return CriterionResponse.objects.filter(pk=response_pk, version=base_version).update(
        version=F("version") + 1
    )


@transaction.atomic
def save_response(*, response, content, base_version, by):
    """Write `content` (field → value) if nobody saved since `base_version`.

    Raises StaleVersion with the current row when someone did, and WorkflowError when the
    assessment is no longer editable. One history row per successful save.
    """
    # Lock the assessment (shared with submit / publish, which lock it too) and check it
    # is still open for edits.
    _require_editable(Assessment.objects.select_for_update().get(pk=response.assessment_id))
    if not _claim(response.pk, base_version):
        raise StaleVersion(
            CriterionResponse.objects.select_related("updated_by").get(pk=response.pk)
        )
    fresh = CriterionResponse.objects.get(pk=response.pk)
    for name, value in content.items():
        setattr(fresh, name, value)
    fresh.carried_over = False
    fresh.updated_by = by
    fresh._history_user = by
    fresh.save()
    return fresh


def confirm_response(*, response, base_version, by):
    """Accept a carried-over answer as still true, without changing it."""
    return save_response(response=response, content={}, base_version=base_version, by=by)


def _require_editable(assessment):
    if not assessment.is_editable:
        raise WorkflowError([_("This assessment is %(status)s and can no longer be edited.")
                             % {"status": assessment.get_status_display()}])


def add_evidence(*, response, form, by):
    """Save the evidence; if anything fails once its file is stored, remove the file.

    The row and its history roll back with the transaction, but storage is not
    transactional: without this, a failed write would leave an orphan file behind.
    """
    try:
        return _add_evidence(response=response, form=form, by=by)
    except BaseException:
        stored = form.instance.file
        if (stored and getattr(stored, "_committed", False) and stored.name
                and not Evidence.objects.filter(file=stored.name).exists()):
            stored.storage.delete(stored.name)
        raise


@transaction.atomic
def _add_evidence(*, response, form, by):
    assessment = Assessment.objects.select_for_update().get(pk=response.assessment_id)
    _require_editable(assessment)
    evidence = form.save(commit=False)
    evidence.response = response
    evidence.created_by = by
    evidence.language = evidence.language or get_language() or ""
    if form.file_kind is not None:
        evidence.original_name = form.cleaned_data["file"].name[:255]
        evidence.content_type = form.file_kind.content_type
        evidence.size = form.cleaned_data["file"].size
    evidence._history_user = by
    evidence.save()
    return evidence


@transaction.atomic
def delete_evidence(*, evidence, by):
    assessment = Assessment.objects.select_for_update().get(pk=evidence.response.assessment_id)
    _require_editable(assessment)
    stored = evidence.file.name if evidence.file else None
    evidence._history_user = by
    evidence.delete()
    # Copied-forward evidence shares the stored file; remove it only when nothing uses it.
    if stored and not Evidence.objects.filter(file=stored).exists():
        storage = evidence.file.storage
        transaction.on_commit(lambda: storage.delete(stored))


@transaction.atomic
def save_profile(*, assessment, form, formset, by):
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _require_editable(locked)
    profile = form.save(commit=False)
    profile._history_user = by
    profile.save()
    formset.instance = profile
    instances = formset.save(commit=False)
    for obj in formset.deleted_objects:
        obj.delete()
    # Lower shares before raising others, so that moving budget from one source to another
    # never passes 100 % part-way through (the database refuses that).
    before = {s.pk: s.share_percent or 0 for s in profile.funding_sources.all()}
    for obj in sorted(instances, key=lambda s: (s.share_percent or 0) - before.get(s.pk, 0)):
        obj._history_user = by
        obj.save()
    return profile


# --- review --------------------------------------------------------------------------------


@transaction.atomic
def submit_assessment(*, assessment, by):
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    access.require(by, locked, access.EDIT)
    problems = locked.submit_problems()
    if problems:
        raise WorkflowError(problems)
    locked.status = Assessment.Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked._history_user = by
    locked.save(update_fields=["status", "submitted_at", "updated_at"])
    _notify(
        _secretariat(locked),
        _("Assessment submitted for review: %(subject)s") % {"subject": locked},
        _("%(who)s submitted %(subject)s for review.\n\nReview it here: %(url)s")
        % {"who": by.display_name, "subject": locked,
           "url": _absolute(reverse("criteria:assessment-review", args=[locked.pk]))},
    )
    return locked


def _require_reviewer(assessment, by):
    access.require(by, assessment, access.REVIEW)


@transaction.atomic
def add_comment(*, assessment, response, body, by):
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    # Comments are part of the review: none on a published (frozen) assessment.
    access.require(by, locked, access.REVIEW_WRITE)
    if response is not None and response.assessment_id != assessment.pk:
        raise WorkflowError([_("That criterion belongs to another assessment.")])
    return ReviewComment.objects.create(
        assessment=assessment, response=response, body=body, author=by,
        language=get_language() or "",
    )


@transaction.atomic
def request_changes(*, assessment, note, by):
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _require_reviewer(locked, by)
    if locked.status != Assessment.Status.SUBMITTED:
        raise WorkflowError([_("Only a submitted assessment can be sent back for changes.")])
    ReviewComment.objects.create(assessment=locked, body=note, author=by,
                                 language=get_language() or "")
    locked.status = Assessment.Status.CHANGES_REQUESTED
    locked._history_user = by
    locked.save(update_fields=["status", "updated_at"])
    _notify(
        _office_editors(locked),
        _("Changes requested: %(subject)s") % {"subject": locked},
        _("The network secretariat asked for changes to %(subject)s:\n\n%(note)s\n\n"
          "Comments per criterion are shown where they apply: %(url)s")
        % {"subject": locked, "note": note,
           "url": _absolute(reverse("criteria:assessment-detail", args=[locked.pk]))},
    )
    return locked


@transaction.atomic
def publish_assessment(*, assessment, by, make_public=False):
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _require_reviewer(locked, by)
    if locked.status != Assessment.Status.SUBMITTED:
        raise WorkflowError([_("Only a submitted assessment can be published.")])
    locked.status = Assessment.Status.PUBLISHED
    locked.published_at = timezone.now()
    locked.is_public = make_public
    locked._history_user = by
    locked.save(update_fields=["status", "published_at", "is_public", "updated_at"])
    _notify(
        _office_editors(locked),
        _("Published: %(subject)s") % {"subject": locked},
        _("The network secretariat published %(subject)s. It is now frozen; the next round "
          "starts a new assessment.\n\n%(url)s")
        % {"subject": locked,
           "url": _absolute(reverse("criteria:assessment-detail", args=[locked.pk]))},
    )
    return locked


# --- changes made in the admin -------------------------------------------------------------


def lock_unfrozen(assessment_id):
    """Lock the assessment for a change made outside the editing pages (the admin) and
    refuse it if published: nothing published changes, whoever publishes meanwhile."""
    locked = Assessment.objects.select_for_update().filter(pk=assessment_id).first()
    if locked is not None and locked.is_frozen:
        raise PermissionDenied(_("This assessment is published, so it can no longer change."))
    return locked


@transaction.atomic
def record_admin_change(*, assessment_id, by):
    """After the admin changed anything of an assessment: move every response's version on.

    API clients hold a response's version as its ETag and editors' open pages hold it as
    their base: both must see that the data changed under them (their next write is refused
    as stale, never silently applied over the admin's). The changed rows' own history is
    written by django-simple-history with `by` as its author.
    """
    if lock_unfrozen(assessment_id) is None:  # the assessment itself was deleted
        return
    CriterionResponse.objects.filter(assessment_id=assessment_id).update(
        version=F("version") + 1
    )
