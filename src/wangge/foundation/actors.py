"""Who acts: a signed-in user, or the platform itself for a command or task, always named.

Every service takes ``by=`` (keyword, no default). A forgotten actor is a TypeError, never a
silent pass: ``None`` used to mean "no permission or scope check", so a caller that dropped the
argument skipped every rule. Commands and tasks pass a ``SystemActor`` instead, which may take
every action within its scope (everywhere by default, as the command line always could), and
whose name goes into the reason of every history row it writes (the row's user stays NULL:
no account stands behind it, so none can be signed in as the system or given a role).
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, TypeAlias

if TYPE_CHECKING:  # no import at run time: audit (below access) checks actors too
    from wangge.access.models import User


@dataclass(frozen=True)
class SystemActor:
    """The platform acting for a command or task named ``name`` (``"wangge import"``), within
    ``scope_prefixes`` (every jurisdiction unless narrowed, as for a public report filed for
    one community's page)."""

    name: str
    scope_prefixes: tuple[str, ...] = ("",)
    # Read like a superuser's by permissions.can and sees_unmasked: a command may do anything.
    is_authenticated: ClassVar[bool] = True
    is_active: ClassVar[bool] = True
    is_superuser: ClassVar[bool] = True
    pk: ClassVar[None] = None

    def __str__(self) -> str:
        return self.name


Actor: TypeAlias = "User | SystemActor"

# The platform itself, for code that runs outside any request (commands name their own).
SYSTEM = SystemActor("system")


def system_actor(name: str, *, scope_prefixes: tuple[str, ...] = ("",)) -> SystemActor:
    """The system acting for the command or task ``name``."""
    return SystemActor(name, scope_prefixes)


def actor_checked(by: object) -> Actor:
    """``by`` itself, or a TypeError for anything that is not a user or the system: above all
    ``None``, which once meant "skip every check"."""
    if isinstance(by, SystemActor) or (by is not None and hasattr(by, "scope_prefixes")
                                        and getattr(by, "is_authenticated", False)):
        return by
    raise TypeError(f"a service needs its actor: by=<user> or by=<SystemActor>, not {by!r}")


def user_of(by: Actor) -> "User | None":
    """The account to record as having acted (on a record's reporter, actor, uploader...):
    the user, or None for the system."""
    return None if isinstance(actor_checked(by), SystemActor) else by


def history_reason(by: Actor, reason: str) -> str:
    """The reason to keep in a history row: as given for a user; for the system, prefixed by
    the command or task that wrote it ("wangge escalate: overdue"), since no user is kept."""
    if isinstance(actor_checked(by), SystemActor):
        return f"{by.name}: {reason}" if reason else by.name
    return reason
