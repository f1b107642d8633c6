"""Writes that touch several rows: starting, saving, submitting, reviewing, publishing.

Each is a keyword-only function under one transaction. Saves of a response (and of an
office profile) are compare-and-set on its `version`. A save based on an older version is
merged three ways with what was saved meanwhile, using the version the editor started from
(read back from the history): fields only one side changed are combined; fields both changed
differently raise `StaleVersion` and nothing is written, so two editors never silently
overwrite each other. A stale save whose content equals what is stored is no conflict.
"""

import copy

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cities import audit
from cities.models import AuditEvent, NetworkRole, OfficeMembership, User

from . import access
from .models import (
    Assessment,
    CriterionResponse,
    DatePrecision,
    Evidence,
    FundingSource,
    OfficeProfile,
    ReviewComment,
    SubmissionKey,
)


class WorkflowError(Exception):
    """The step is not allowed now; `problems` says why, in words for the user."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


class StaleVersion(Exception):
    """The object changed since the editor's copy was loaded, in a way that needs a person.

    `current` is the stored row; `base` the values the editor started from (None when the
    history no longer has them); `conflicts` the fields both sides changed differently;
    `merged` the editor's content with what only the other side changed folded in.
    """

    def __init__(self, current, *, base=None, conflicts=(), merged=None, problems=()):
        self.current = current
        self.base = base
        self.conflicts = list(conflicts)
        self.merged = dict(merged or {})
        self.problems = list(problems)
        super().__init__(f"{type(current).__name__} {current.pk} is at version {current.version}")


class AlreadySubmitted(Exception):
    """This form was already sent and acted on; `target_url` shows what it made."""

    def __init__(self, target_url):
        self.target_url = target_url
        super().__init__(target_url)


def _same(a, b):
    # Browsers send a textarea's line breaks as CRLF; the same text must compare equal.
    if isinstance(a, str) and isinstance(b, str):
        return a.replace("\r\n", "\n") == b.replace("\r\n", "\n")
    return a == b


def three_way(*, base, mine, theirs):
    """Merge `mine` (field → value) into `theirs` given the common `base`.

    Returns (write, conflicts, kept): the fields to write with `mine`'s value, the fields
    both sides changed differently, and the fields only the other side changed (kept as
    stored). Without a base every differing field is a conflict.
    """
    write, conflicts, kept = {}, [], []
    for name, value in mine.items():
        stored = theirs[name]
        if _same(value, stored):
            continue
        if base is None or name not in base:
            conflicts.append(name)
        elif _same(value, base[name]):
            kept.append(name)
        elif _same(stored, base[name]):
            write[name] = value
        else:
            conflicts.append(name)
    return write, conflicts, kept


def _base_values(model_object, version, fields):
    """The values `fields` had at `version`, from django-simple-history; None if unknown."""
    record = (
        model_object.history.filter(version=version).order_by("-history_id").first()
    )
    if record is None:
        return None
    return {name: getattr(record, name) for name in fields}


def claim_submission(key, by):
    """Take the idempotency key of a form, or raise AlreadySubmitted if it was used.

    Call inside the transaction that creates the object; `SubmissionKey.target_url` is
    filled in by `_record_submission` before it commits.
    """
    if key is None:
        return None
    used = SubmissionKey.objects.filter(key=key).first()
    if used is not None:
        raise AlreadySubmitted(used.target_url)
    try:
        with transaction.atomic():
            return SubmissionKey.objects.create(key=key, user=by)
    except IntegrityError:
        # A concurrent request with the same key committed first (we waited for it).
        used = SubmissionKey.objects.filter(key=key).first()
        raise AlreadySubmitted(used.target_url if used else "") from None


def _record_submission(claim, target_url):
    if claim is not None:
        claim.target_url = target_url
        claim.save(update_fields=["target_url"])


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
        office_memberships__role__in=OfficeMembership.EDITING_ROLES,
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
def start_assessment(*, office, round, by, copy_from=None, submission_key=None, framework=None):
    """A new draft for `office` in `round`: blank, or copied forward from a published
    assessment. The round must be open and `office` invited to it; the framework is the
    round's (`framework`, if given, must be the same)."""
    claim = claim_submission(submission_key, by)
    if framework is not None and framework.pk != round.framework_id:
        raise WorkflowError([_("The round uses another framework.")])
    framework = round.framework
    if not round.is_open():
        raise WorkflowError([_("The round %(round)s is not open.") % {"round": round.name}])
    if not round.invited_offices.filter(pk=office.pk).exists():
        raise WorkflowError([_("%(office)s is not invited to the round %(round)s.")
                             % {"office": office.name, "round": round.name}])
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
    if copy_from is not None:
        from .plans import carry_plan_forward  # plans builds on this module's helpers

        carry_plan_forward(source=copy_from, into=assessment, by=by)
    _record_submission(claim, assessment.get_absolute_url())
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


RESPONSE_FIELDS = ["level", "current_strengths", "opportunities", "confidence",
                   "not_applicable", "not_applicable_reason", "language", "level_rationale"]


@transaction.atomic
def save_response(*, response, content, base_version, by, merge=True):
    """Write `content` (field → value), based on the editor's copy at `base_version`.

    If someone saved since, the save is merged three ways (see `three_way`); with
    `merge=False` (the API's strict If-Match) any newer version is refused. Raises
    StaleVersion when a person must decide, and WorkflowError when the assessment is no
    longer editable. Returns the saved row, with `kept` (fields whose newer stored value
    was kept) and `kept_from` (who saved them). One history row per write; none when the
    content equals what is stored.
    """
    # Lock the assessment (shared with submit / publish, which lock it too) and check it
    # is still open for edits. Every save of its responses waits here, so once we hold the
    # lock the stored version cannot move under us.
    _require_editable(Assessment.objects.select_for_update().get(pk=response.assessment_id))
    kept, kept_from = [], None
    if not _claim(response.pk, base_version):
        current = CriterionResponse.objects.select_related("updated_by").get(pk=response.pk)
        if not merge:
            raise StaleVersion(current)
        stored = {name: getattr(current, name) for name in content}
        base = _base_values(current, base_version, list(content))
        write, conflicts, kept = three_way(base=base, mine=content, theirs=stored)
        if conflicts:
            merged = {**content, **{name: stored[name] for name in kept}}
            raise StaleVersion(current, base=base, conflicts=conflicts, merged=merged)
        if not write:
            # Nothing of ours differs from what is stored (often our own earlier autosave).
            current.kept, current.kept_from = kept, current.updated_by
            return current
        kept_from = current.updated_by
        content = write
        if not _claim(response.pk, current.version):
            raise StaleVersion(current)
        fresh = current
        fresh.version += 1
    elif response.version == base_version:
        # The claim succeeded from the version this copy holds, and every write of a response
        # moves its version on (the admin's too): this copy is what is stored. No re-read;
        # a copy, so the caller's object still shows what it was given.
        fresh = copy.copy(response)
        fresh.version += 1
    else:
        fresh = CriterionResponse.objects.get(pk=response.pk)
    fresh.criterion = response.criterion  # what the status line and its checks read
    fresh.assessment = response.assessment
    for name, value in content.items():
        setattr(fresh, name, value)
    fresh.carried_over = False
    fresh.updated_by = by
    fresh._history_user = by
    fresh.save()
    fresh.kept, fresh.kept_from = kept, kept_from
    return fresh


def confirm_response(*, response, base_version, by):
    """Accept a carried-over answer as still true, without changing it."""
    return save_response(response=response, content={}, base_version=base_version, by=by,
                         merge=False)


def _require_editable(assessment):
    if not assessment.is_editable:
        raise WorkflowError([_("This assessment is %(status)s and can no longer be edited.")
                             % {"status": assessment.get_status_display()}])


def add_evidence(*, response, form, by, submission_key=None):
    """Save the evidence; if anything fails once its file is stored, remove the file.

    The row and its history roll back with the transaction, but storage is not
    transactional: without this, a failed write would leave an orphan file behind.
    """
    try:
        return _add_evidence(response=response, form=form, by=by,
                             submission_key=submission_key)
    except BaseException:
        stored = form.instance.file
        if (stored and getattr(stored, "_committed", False) and stored.name
                and not Evidence.objects.filter(file=stored.name).exists()):
            stored.storage.delete(stored.name)
        raise


@transaction.atomic
def _add_evidence(*, response, form, by, submission_key=None):
    assessment = Assessment.objects.select_for_update().get(pk=response.assessment_id)
    _require_editable(assessment)
    claim = claim_submission(submission_key, by)
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
    _record_submission(
        claim,
        reverse("criteria:response-edit", args=[assessment.pk, response.criterion.number])
        + "#evidence",
    )
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


FUNDING_FIELDS = ["name", "kind", "share_percent", "project_based", "legally_protected"]


class FundingOverLimit(Exception):
    """The funding shares, as they would be stored, add up to more than 100 %."""

    def __init__(self, total):
        self.total = total
        super().__init__(f"funding shares would add up to {total} %")


def _hidden_initial(form, name):
    """The value a formset field had when the editor's page was rendered (its base)."""
    field = form.fields[name]
    raw = field.hidden_widget().value_from_datadict(
        form.data, form.files, form.add_initial_prefix(name)
    )
    try:
        return field.to_python(raw)
    except Exception:  # noqa: BLE001 - a mangled hidden value only means "base unknown"
        return None


def _profile_editor(profile):
    record = profile.history.order_by("-history_id").select_related("history_user").first()
    return record.history_user if record else None


@transaction.atomic
def save_profile(*, assessment, form, formset, by, base_version=None):
    """Save the profile form and its funding formset, merged with any save made meanwhile.

    Profile fields merge three ways against the version the form started from (history);
    each funding source writes only the fields the editor changed (their form carries the
    values it started from), so a colleague's edit of another field or source stays. Shares
    are checked against what would be stored: FundingOverLimit when they pass 100 %.
    """
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _require_editable(locked)
    profile = OfficeProfile.objects.get(assessment=locked)
    mine = {name: form.cleaned_data[name] for name in form.Meta.fields}
    if base_version is None:
        base_version = profile.version
    stale = not OfficeProfile.objects.filter(pk=profile.pk, version=base_version).update(
        version=F("version") + 1
    )
    kept, kept_from, conflicts, problems = [], None, [], []
    content = mine
    if stale:
        current = OfficeProfile.objects.get(pk=profile.pk)
        stored = {name: getattr(current, name) for name in mine}
        base = _base_values(current, base_version, list(mine))
        content, conflicts, kept = three_way(base=base, mine=mine, theirs=stored)
        kept_from = _profile_editor(current)
        OfficeProfile.objects.filter(pk=profile.pk).update(version=F("version") + 1)

    # The funding sources as they will be: start from what is stored now.
    stored_sources = {s.pk: s for s in FundingSource.objects.filter(profile=profile)}
    deleted, changed, added = [], [], []
    for sub in formset.forms:
        if not hasattr(sub, "cleaned_data") or not sub.has_changed() and not sub.instance.pk:
            continue
        pk = sub.instance.pk
        if pk and formset.can_delete and sub.cleaned_data.get("DELETE"):
            if pk in stored_sources:
                deleted.append(stored_sources.pop(pk))
            continue
        if not sub.has_changed():
            continue
        if not pk:
            source = FundingSource(profile=profile, **{
                name: sub.cleaned_data[name] for name in FUNDING_FIELDS
            })
            added.append(source)
            continue
        source = stored_sources.get(pk)
        label = sub.cleaned_data.get("name") or sub.instance.name
        if source is None:
            problems.append(_("Funding source “%(name)s” was removed by someone else meanwhile; "
                              "add it again if it is still needed.") % {"name": label})
            continue
        for name in sub.changed_data:
            if name not in FUNDING_FIELDS:
                continue
            value = sub.cleaned_data[name]
            if stale:
                base_value = _hidden_initial(sub, name)
                stored_value = getattr(source, name)
                if not _same(stored_value, base_value) and not _same(stored_value, value):
                    problems.append(
                        _("Funding source “%(name)s”, %(field)s: someone else saved "
                          "“%(theirs)s” meanwhile; you wrote “%(mine)s”.")
                        % {"name": label, "field": sub.fields[name].label,
                           "theirs": stored_value, "mine": value})
                    continue
            setattr(source, name, value)
        changed.append(source)
    if conflicts or problems:
        merged = {**mine, **{name: getattr(current, name) for name in kept}} if stale else mine
        raise StaleVersion(current if stale else profile, base=base if stale else None,
                           conflicts=conflicts, merged=merged, problems=problems)

    kept_sources = list(stored_sources.values())
    total = sum((s.share_percent or 0 for s in kept_sources), 0) + sum(
        (s.share_percent or 0 for s in added), 0)
    # `changed` sources are among kept_sources (same objects), so their new shares count.
    if total > 100:
        raise FundingOverLimit(total)

    fresh = OfficeProfile.objects.get(pk=profile.pk)
    for name, value in content.items():
        setattr(fresh, name, value)
    fresh._history_user = by
    fresh.save()
    for source in deleted:
        source._history_user = by
        source.delete()
    # Lower shares before raising others, so that moving budget from one source to another
    # never passes 100 % part-way through (the database refuses that).
    before = {s.pk: s.share_percent or 0
              for s in FundingSource.objects.filter(profile=profile)}
    try:
        with transaction.atomic():
            for source in sorted(changed, key=lambda s: (s.share_percent or 0)
                                 - before.get(s.pk, 0)):
                source._history_user = by
                source.save()
            for source in added:
                source._history_user = by
                source.save()
    except IntegrityError as error:
        if "funding shares" in str(error):
            raise FundingOverLimit(total) from error
        raise
    fresh.kept, fresh.kept_from = kept, kept_from
    return fresh


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
    audit.record(AuditEvent.Action.SUBMITTED, target=locked, actor=by)
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
def verify_evidence(*, evidence, by):
    """Mark `evidence` as independently verified. The assessment row is locked first, as
    publishing locks it, so a verification and a publication never interleave: either the
    verification lands before the freeze or it is refused after it."""
    locked = Assessment.objects.select_for_update().get(pk=evidence.response.assessment_id)
    access.require(by, locked, access.REVIEW_WRITE)
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
    if evidence.strength != Evidence.Strength.VERIFIED:
        evidence.strength = Evidence.Strength.VERIFIED
        evidence._history_user = by
        evidence.save(update_fields=["strength"])
    return evidence


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
    audit.record(AuditEvent.Action.CHANGES_REQUESTED, target=locked, actor=by, detail=note)
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
    locked.published_precision = DatePrecision.DAY
    locked.is_public = make_public
    locked._history_user = by
    locked.save(update_fields=["status", "published_at", "published_precision", "is_public",
                               "updated_at"])
    audit.record(AuditEvent.Action.PUBLISHED, target=locked, actor=by,
                 detail="public" if make_public else "")
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
