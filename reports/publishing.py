"""Publishing a brief on the public page: the office's own choice (criterion 9)."""

from django.db import transaction

from cities import audit
from cities.models import AuditEvent
from criteria import access
from criteria.models import Assessment


def set_brief_public(*, assessment, public: bool, by) -> Assessment:
    """Editors of the assessed office decide, once the assessment is published (a city
    ecosystem has no office editors: whether it is public is decided when it is published)."""
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        access.require(by, locked, access.PUBLISH_BRIEF)
        if locked.is_public != public:
            locked.is_public = public
            locked._change_reason = "Brief made public" if public else "Brief made private"
            locked.save(update_fields=["is_public", "updated_at"])
            audit.record(AuditEvent.Action.BRIEF_VISIBILITY, target=locked, actor=by,
                         detail="public" if public else "private")
    assessment.is_public = public
    return assessment
