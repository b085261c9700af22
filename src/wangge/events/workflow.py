"""The closed loop as a table: which transition leads from which states to which, and who may
make it (GB/T 34300: discover → report → accept → dispatch → handle → feedback → verify → close).

A plain table rather than an FSM library: every rule here depends on the actor (role, scope,
being the handler) and some need input (a reason, an organization), which libraries such as
django-fsm-2 express as decorators, conditions and protected fields spread over the model. One
table that pages, API and tests all read is shorter and says the whole loop in one screen.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.access.models import User
from wangge.foundation.actors import Actor, SystemActor, actor_checked
from wangge.foundation.codes import is_within
from wangge.foundation.permissions import Action, can

from .models import Event, State


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[State, ...]
    target: State
    action: Action
    label: Promise
    needs_comment: bool = False
    # Only the assignee or a responder of the handling organization.
    handler_only: bool = False
    # Several transitions made in one step by one person who may make each of them (verify
    # and close): each is checked in turn, as if made one after the other, and each is
    # recorded in the timeline.
    steps: tuple[str, ...] = ()


TRANSITIONS: dict[str, Transition] = {t.name: t for t in [
    Transition("accept", (State.REPORTED,), State.ACCEPTED, Action.TRIAGE_EVENTS,
               gettext_lazy("Accept")),
    Transition("decline", (State.REPORTED,), State.DECLINED, Action.TRIAGE_EVENTS,
               gettext_lazy("Decline"), needs_comment=True),
    Transition("dispatch", (State.ACCEPTED,), State.DISPATCHED, Action.TRIAGE_EVENTS,
               gettext_lazy("Dispatch")),
    Transition("start", (State.DISPATCHED,), State.HANDLING, Action.HANDLE_EVENTS,
               gettext_lazy("Start handling"), handler_only=True),
    # A handler that finds the event is not theirs hands it back for another dispatch.
    Transition("return", (State.DISPATCHED, State.HANDLING), State.ACCEPTED,
               Action.HANDLE_EVENTS, gettext_lazy("Return: not ours"), needs_comment=True,
               handler_only=True),
    Transition("feedback", (State.HANDLING,), State.FEEDBACK, Action.HANDLE_EVENTS,
               gettext_lazy("Report the result"), needs_comment=True, handler_only=True),
    # Whoever may both verify and close (a grid worker, community staff) does both at once
    # (listed first: the button the page offers first).
    Transition("verify_close", (State.FEEDBACK,), State.CLOSED, Action.VERIFY_EVENTS,
               gettext_lazy("Verified: close the event"), steps=("verify", "close")),
    Transition("verify", (State.FEEDBACK,), State.VERIFIED, Action.VERIFY_EVENTS,
               gettext_lazy("Verified on the spot")),
    Transition("reject", (State.FEEDBACK,), State.HANDLING, Action.VERIFY_EVENTS,
               gettext_lazy("Not satisfied: back to handling"), needs_comment=True),
    Transition("close", (State.VERIFIED,), State.CLOSED, Action.TRIAGE_EVENTS,
               gettext_lazy("Close")),
]}
# Merging a duplicate into another event (services.event_merge) follows the same rules.
MERGE = Transition("merge", (State.REPORTED, State.ACCEPTED), State.MERGED,
                   Action.TRIAGE_EVENTS, gettext_lazy("Merge into another event"))
# An unsatisfied rating of a closed event opens it again, once, one level up
# (services.event_rate); never a button of its own.
REOPEN = Transition("reopen", (State.CLOSED,), State.ACCEPTED, Action.TRIAGE_EVENTS,
                    gettext_lazy("Reopened: the resident was not satisfied"))


def is_handler(user: User, event: Event) -> bool:
    if event.assignee_id == user.pk:
        return True
    return event.organization_id is not None and event.organization.responders.filter(
        user=user).exists()


def refuse(user: Actor, event: Event, transition: Transition, comment: str = "") -> None:
    """Raise PermissionDenied (role, scope, not the handler) or ValidationError (state, a
    missing reason) when ``user`` may not make ``transition`` now. A system actor stands in
    for the handler; a missing actor (None) is a TypeError. A transition of several
    ``steps`` is refused when any of its steps would be, taken in turn."""
    if not transition.steps:
        _refuse_step(user, event, transition, comment, state=event.state)
        return
    if not all(can(actor_checked(user), action) for action in actions_of(transition)):
        raise PermissionDenied(_("Your role may not do this: %(action)s.")
                               % {"action": transition.label})
    _refuse_state(transition, event.state)
    state = event.state
    for name in transition.steps:
        step = TRANSITIONS[name]
        _refuse_step(user, event, step, comment, state=state)
        state = step.target


def actions_of(transition: Transition) -> set[Action]:
    """What a role must be allowed to make ``transition``: its action, or each step's."""
    return {TRANSITIONS[step].action for step in transition.steps} or {transition.action}


def _refuse_state(transition: Transition, state: str) -> None:
    if state not in transition.sources:
        raise ValidationError(
            _("“%(action)s” is not possible while the event is %(state)s.")
            % {"action": transition.label, "state": State(state).label},
            code="state",
        )


def _refuse_step(user: Actor, event: Event, transition: Transition, comment: str, *,
                 state: str) -> None:
    if not can(actor_checked(user), transition.action):
        raise PermissionDenied(_("Your role may not do this: %(action)s.")
                               % {"action": transition.label})
    if not is_within(event.grid_code, user.scope_prefixes):
        raise PermissionDenied(_("This event is outside your jurisdiction."))
    _refuse_state(transition, state)
    if (transition.handler_only and not isinstance(user, SystemActor)
            and not is_handler(user, event)):
        raise PermissionDenied(_("Only the assignee or a responder of the handling "
                                 "organization may do this."))
    if transition.needs_comment and not comment.strip():
        raise ValidationError({"comment": _("Say why (this is recorded with the event).")})


def allowed(user: User, event: Event) -> list[Transition]:
    """The transitions ``user`` may make on ``event`` now (for the buttons on its page)."""
    possible = []
    for transition in [*TRANSITIONS.values(), MERGE]:
        try:
            refuse(user, event, transition, comment="-")
        except (PermissionDenied, ValidationError):
            continue
        possible.append(transition)
    return possible
