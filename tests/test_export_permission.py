"""Exporting a whole table is a permission of its own, apart from viewing: a Viewer reads
records but downloads no table; Editors and Case officers may."""

import pytest
from django.contrib.auth.models import Group
from django.urls import NoReverseMatch, reverse

from config.roles import CASE_OFFICER, EDITOR, VIEWER
from tests.test_exports import EXPORTING

# Every export of the admin (tests/test_exports.py lists which those are).
EXPORTS = [f"{model._meta.app_label}_{model._meta.model_name}" for model in EXPORTING]


@pytest.fixture
def staff_in(django_user_model):
    def make(group):
        user = django_user_model.objects.create_user(
            username=group.lower().replace(" ", "_"), password="x", is_staff=True
        )
        user.groups.add(Group.objects.get(name=group))
        return user

    return make


@pytest.mark.parametrize("name", EXPORTS)
def test_a_viewer_sees_the_list_but_neither_the_export_button_nor_the_export(
    client, staff_in, name
):
    client.force_login(staff_in(VIEWER))
    page = client.get(reverse(f"admin:{name}_changelist"))
    assert page.status_code == 200
    assert reverse(f"admin:{name}_export") not in page.content.decode()
    assert client.get(reverse(f"admin:{name}_export")).status_code == 403
    assert client.post(reverse(f"admin:{name}_export"), {"format": "0"}).status_code == 403


@pytest.mark.parametrize("group", [EDITOR, CASE_OFFICER])
@pytest.mark.parametrize("name", EXPORTS)
def test_editors_and_case_officers_may_export(client, staff_in, group, name):
    client.force_login(staff_in(group))
    page = client.get(reverse(f"admin:{name}_changelist"))
    assert reverse(f"admin:{name}_export") in page.content.decode()
    assert client.get(reverse(f"admin:{name}_export")).status_code == 200


def test_only_case_officers_hold_the_restricted_fields_permission(staff_in):
    held = {
        group: staff_in(group).has_perm("tracker.access_restricted_fields")
        for group in (VIEWER, EDITOR, CASE_OFFICER)
    }
    assert held == {VIEWER: False, EDITOR: False, CASE_OFFICER: True}


@pytest.mark.parametrize("group", [VIEWER, EDITOR, CASE_OFFICER])
def test_no_role_may_export_or_even_read_the_access_log(client, staff_in, group):
    user = staff_in(group)
    assert not any(
        p.startswith("tracker.") and "accessrecord" in p for p in user.get_all_permissions()
    )
    client.force_login(user)
    assert client.get(reverse("admin:tracker_accessrecord_changelist")).status_code == 403
    with pytest.raises(NoReverseMatch):
        reverse("admin:tracker_accessrecord_export")
