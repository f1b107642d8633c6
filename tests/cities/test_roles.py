"""A person's memberships and roles are read once per user object (`cities.models.roles_of`)
and every access rule asks them there; a change to any of them is seen at the next question,
by the same user object too."""

import pytest
from django.core.exceptions import PermissionDenied

from cities.access import mfa_required, navigation_for
from cities.models import NetworkRole, Office, OfficeMembership, roles_of
from criteria.access import EDIT, access_to, require
from criteria.models import Assessment
from reports.brief_cache import reader_view


def test_roles_are_read_in_one_query_and_then_kept(editor_a, django_assert_num_queries):
    with django_assert_num_queries(1):
        roles = roles_of(editor_a)
        assert roles_of(editor_a) is roles
        navigation_for(editor_a)
        mfa_required(editor_a)
        reader_view(editor_a)
    office = Office.objects.get(slug="palmira-security-coexistence")
    assert roles.office_role(office.pk) == OfficeMembership.Role.EDITOR
    assert roles.networks == ()


def test_a_membership_added_later_is_seen_by_the_same_user_object(editor_b, palmira_draft):
    assert not Assessment.objects.visible_to(editor_b).filter(pk=palmira_draft.pk).exists()
    assert access_to(editor_b, palmira_draft).role is None

    OfficeMembership.objects.create(user=editor_b, office=palmira_draft.office,
                                    role=OfficeMembership.Role.VIEWER)

    assert Assessment.objects.visible_to(editor_b).filter(pk=palmira_draft.pk).exists()
    assert access_to(editor_b, palmira_draft).role == OfficeMembership.Role.VIEWER
    assert navigation_for(editor_b).has_offices


def test_a_role_removed_later_is_gone_for_the_same_user_object(researcher):
    private = Assessment.objects.filter(status=Assessment.Status.PUBLISHED).first()
    Assessment.objects.filter(pk=private.pk).update(is_public=False)
    assert Assessment.objects.visible_to(researcher).filter(pk=private.pk).exists()

    NetworkRole.objects.filter(user=researcher).delete()

    assert not Assessment.objects.visible_to(researcher).filter(pk=private.pk).exists()
    assert reader_view(researcher) == ""


def test_a_network_requiring_a_second_factor_later_is_seen(editor_a):
    assert not mfa_required(editor_a)
    network = editor_a.office_memberships.get().office.city.networks.get()
    network.require_mfa_editors = True
    network.save()
    assert mfa_required(editor_a)


def test_a_viewer_is_never_required_a_second_factor_for_editors(viewer_a):
    network = viewer_a.office_memberships.get().office.city.networks.get()
    network.require_mfa_editors = True
    network.save()
    assert not mfa_required(viewer_a)


def test_a_write_re_checks_roles_changed_by_another_process(editor_a, palmira_draft):
    """Another process's change sends no signal here: a write's re-check under its lock
    (`criteria.access.require`) reads the roles again rather than trusting the request's."""
    require(editor_a, palmira_draft, EDIT)  # an editor: allowed, and their roles are kept
    OfficeMembership.objects.filter(user=editor_a).update(role=OfficeMembership.Role.VIEWER)
    assert roles_of(editor_a).office_role(palmira_draft.office_id) == OfficeMembership.Role.EDITOR

    with pytest.raises(PermissionDenied):
        require(editor_a, palmira_draft, EDIT)
