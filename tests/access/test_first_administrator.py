"""README, "The first administrator": a superuser made with `wangge createsuperuser` sets up the
three administrators and is then deactivated with `wangge account deactivate`."""

import pytest
from django.core.management import CommandError, call_command

from tests.factories import DISTRICT, STREET_1
from wangge.access.models import User
from wangge.access.selectors import users_visible_to
from wangge.access.services import user_create
from wangge.foundation.permissions import Role


def test_the_first_administrator_sets_up_the_others_and_steps_down(world, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long passphrase 1")
    call_command("createsuperuser", interactive=False, username="root", email="",
                 verbosity=0)
    root = User.objects.get(username="root")
    assert root.is_superuser
    security, _password = user_create(by=root, username="security", role=Role.SECURITY_ADMIN,
                                      jurisdictions=[DISTRICT], reason="三员分立")
    district, _password = user_create(by=security, username="district",
                                      role=Role.DISTRICT_ADMIN, jurisdictions=[DISTRICT],
                                      reason="区管理员")
    street, _link = user_create(by=district, username="street", role=Role.STREET_OFFICER,
                                jurisdictions=[STREET_1], reason="街道管理员")
    assert street in users_visible_to(district)
    assert root not in users_visible_to(security)  # a superuser is nobody's to manage
    call_command("account", "deactivate", "root", "--reason", "setup done", verbosity=0)
    root.refresh_from_db()
    assert not root.is_active
    assert root.history.latest().history_change_reason == "wangge account: setup done"


def test_deactivating_needs_an_existing_account(db):
    with pytest.raises(CommandError):
        call_command("account", "deactivate", "nobody", "--reason", "x")
