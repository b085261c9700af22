"""The password policy and the change page every role has."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.factories import DISTRICT, GRID_A, make_user
from wangge.access.models import PasswordHistory
from wangge.foundation.permissions import Role

OLD = "a long passphrase 1"


def change(client, old: str, new: str):
    return client.post("/account/password/", {"old_password": old, "new_password1": new,
                                              "new_password2": new})


@pytest.mark.parametrize("role", Role.values)
def test_every_role_changes_its_password_from_a_page_linked_in_the_layout(role, world,
                                                                         page_as):
    user = make_user(role, GRID_A if role == Role.GRID_WORKER else DISTRICT)
    user.set_password(OLD)
    user.save()
    client = page_as(user)
    assert 'href="/account/password/"' in client.get("/", follow=True).content.decode()
    form = client.get("/account/password/")
    assert form.status_code == 200
    assert 'name="new_password1"' in form.content.decode()
    response = change(client, OLD, "another long phrase 2")
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another long phrase 2")
    # Still signed in (the session's hash was updated), and told so.
    assert "Your password was changed." in client.get("/", follow=True).content.decode()


def test_the_last_five_passwords_are_refused_and_older_ones_allowed(world, page_as, settings):
    user = make_user(Role.VOLUNTEER, GRID_A)
    user.set_password(OLD)
    user.save()
    client = page_as(user)
    current = OLD
    for number in range(2, 6):
        assert change(client, current, f"phrase number {number} here").status_code == 302
        current = f"phrase number {number} here"
    refused = change(client, current, OLD)
    assert refused.status_code == 200
    assert "This password was used recently" in refused.content.decode()
    user.refresh_from_db()
    assert user.check_password(current)
    assert PasswordHistory.objects.filter(user=user).count() == settings.WANGGE_PASSWORD_HISTORY
    assert change(client, current, "phrase number 6 here").status_code == 302
    # OLD is now the sixth password back: allowed again.
    assert change(client, "phrase number 6 here", OLD).status_code == 302


def test_the_current_password_is_refused_even_without_a_history(world):
    user = make_user(Role.VOLUNTEER, GRID_A)
    PasswordHistory.objects.filter(user=user).delete()
    user.set_password(OLD)
    user.save(update_fields=["password"])  # as a user created before the history began
    PasswordHistory.objects.filter(user=user).delete()
    with pytest.raises(ValidationError):
        validate_password(OLD, user)


@pytest.mark.parametrize(("password", "reason"), [
    ("short 1", "too short"), ("password1234", "too common"), ("123456789012345", "numeric"),
])
def test_weak_passwords_are_refused(password, reason, world, page_as):
    user = make_user(Role.VOLUNTEER, GRID_A)
    user.set_password(OLD)
    user.save()
    response = change(page_as(user), OLD, password)
    assert response.status_code == 200
    assert reason in response.content.decode()
