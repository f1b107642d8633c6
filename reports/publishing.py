"""Publishing a brief on the public page: the office's own choice (criterion 9)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from cities import audit
from cities.models import AuditEvent, OfficeMembership
from criteria.models import Assessment


def can_publish_brief(user, assessment) -> bool:
    """Editors of the assessed office decide, once the assessment is published."""
    if not user.is_authenticated or assessment.status != Assessment.Status.PUBLISHED:
        return False
    if assessment.office_id is None:
        return False  # a city ecosystem has no office editors; the secretariat uses the admin
    return OfficeMembership.objects.filter(
        user=user, office_id=assessment.office_id, role=OfficeMembership.Role.EDITOR
    ).exists()


def set_brief_public(*, assessment, public: bool, by) -> Assessment:
    if not can_publish_brief(by, assessment):
        raise PermissionDenied
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.is_public != public:
            locked.is_public = public
            locked._change_reason = "Brief made public" if public else "Brief made private"
            locked.save(update_fields=["is_public", "updated_at"])
            audit.record(AuditEvent.Action.BRIEF_VISIBILITY, target=locked, actor=by,
                         detail="public" if public else "private")
    assessment.is_public = public
    return assessment
