"""Security events into the same chain: sign-ins, sign-outs, failed sign-ins (Django's auth
signals) and changes to accounts, their jurisdictions and API tokens.

Account changes are caught by model signals because every path that changes an account
(the admin, commands, the accounts services) must leave a trace, whether or not it
remembers to. The actor and address come from the request simple-history's middleware
keeps for the thread, when there is one.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from simple_history.models import HistoricalRecords

from .models import Kind
from .services import security_record

# Fields whose change is worth a line in the log (a password only as "changed").
ACCOUNT_FIELDS = ("role", "is_active", "is_staff", "is_superuser", "username")


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="auditlog_login")
    user_logged_out.connect(_logged_out, dispatch_uid="auditlog_logout")
    user_login_failed.connect(_login_failed, dispatch_uid="auditlog_login_failed")
    from wangge.access.models import ApiToken, Jurisdiction

    user_model = get_user_model()
    post_save.connect(_user_saved, sender=user_model, dispatch_uid="auditlog_user_saved")
    post_delete.connect(_user_deleted, sender=user_model, dispatch_uid="auditlog_user_deleted")
    for model in (Jurisdiction, ApiToken):
        post_save.connect(_granted, sender=model, dispatch_uid=f"auditlog_{model.__name__}_s")
        post_delete.connect(_revoked, sender=model, dispatch_uid=f"auditlog_{model.__name__}_d")


def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    security_record(kind=Kind.LOGIN, user=user, request=request)


def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        security_record(kind=Kind.LOGOUT, user=user, request=request)


def _login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    security_record(kind=Kind.LOGIN_FAILED, username=str(credentials.get("username", "")),
                    request=request)


def _current_request() -> Any:
    return getattr(HistoricalRecords.context, "request", None)


def _account_change(account: Any, detail: str) -> None:
    request = _current_request()
    actor = getattr(request, "user", None)
    by = actor.get_username() if getattr(actor, "is_authenticated", False) else "system"
    security_record(kind=Kind.ACCOUNT_CHANGE, user=account, request=request,
                    detail=f"{detail} (by {by})")


def _user_saved(sender: Any, instance: Any, created: bool, update_fields: Any = None,
                **kwargs: Any) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # every sign-in saves this; the sign-in itself is logged
    state = ", ".join(f"{name}={getattr(instance, name)}" for name in ACCOUNT_FIELDS)
    _account_change(instance, f"{'created' if created else 'saved'}: {state}")


def _user_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    _account_change(instance, "deleted")


def _granted(sender: Any, instance: Any, created: bool, update_fields: Any = None,
             **kwargs: Any) -> None:
    if not created:
        return  # a token's last use, a jurisdiction's prefix: not a grant
    _account_change(instance.user, f"{sender._meta.model_name} added: {instance}")


def _revoked(sender: Any, instance: Any, **kwargs: Any) -> None:
    _account_change(instance.user, f"{sender._meta.model_name} removed: {instance}")
