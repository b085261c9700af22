"""Residents' accounts: signing in with a one-time code sent to the phone on one's person
record, or through a one-time link a grid worker makes; the account bound to that person; and
the corrections a resident asks of their grid worker; and a resident's own requests (诉求),
filed and rated through the event loop.

Nothing here tells whether a phone number is registered: a code is asked for and checked the
same way for every number, and the answers are the same words (``sign_in_code_send`` sends
nothing to a number no person has, and ``sign_in_code_check`` finds no code for it).
"""

import datetime
import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Sequence
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wangge.access.models import User
from wangge.access.selectors import grid_workers_of
from wangge.access.services import user_create, user_update
from wangge.crypto import blind_index
from wangge.divisions.selectors import grid_point
from wangge.events.models import (
    FINAL_STATES,
    RATING_COMMENT_MAX,
    Category,
    Channel,
    Event,
    EventRating,
    News,
    RatingSource,
    State,
)
from wangge.events.photos import photos_prepared
from wangge.events.services import event_rate, event_report
from wangge.foundation.actors import Actor, SystemActor, system_actor, user_of
from wangge.foundation.codes import is_within
from wangge.foundation.permissions import Action, Role, require
from wangge.normalisers import normalise_phone
from wangge.notifications.models import ANSWER, CORRECTION
from wangge.notifications.services import notify_about
from wangge.people.models import Person

from .models import (
    CorrectionRequest,
    CorrectionState,
    RecordPart,
    RequestKind,
    ResidentAccount,
    ResidentRequest,
    SignInCode,
    SignInLink,
)
from .selectors import resident_person
from .senders import code_sender

log = logging.getLogger(__name__)

# Who makes a resident's account at their first sign-in (no person at a desk does).
RESIDENTS = system_actor("residents' sign-in")
CODE_DIGITS = 6
_MOBILE = re.compile(r"1\d{10}")
# A person may have this many corrections waiting at once; each says at most so much.
OPEN_CORRECTIONS = 5
CORRECTION_CHARACTERS = 1000
ANSWER_CHARACTERS = 500
WRONG_CODE = gettext_noop("That code is not right, or it has expired. Check the message, or "
                          "ask for a new code.")


def mobile_checked(phone: str) -> str:
    """The number normalised; a ValidationError (on ``phone``) unless it is a mobile's, the
    only kind a code can be sent to. Says nothing of whether anyone has it."""
    number = normalise_phone(phone)
    if not _MOBILE.fullmatch(number):
        raise ValidationError(_("Enter an 11-digit mobile number starting with 1."),
                              code="mobile")
    return number


def phone_key(phone: str) -> str:
    """How a number is named in the code rows and the rate limits' cache: a keyed digest of
    its own (not the person record's index, so a code row cannot be joined to a person)."""
    return blind_index("sign-in phone", phone)


def _code_digest(phone_digest: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone_digest}:{code}".encode(),
                    hashlib.sha256).hexdigest()


def _persons_with(phone: str) -> list[Person]:
    return list(Person.objects.matching(phone=phone).filter(merged_into=None)[:2])


def sign_in_code_send(*, phone: str) -> None:
    """Send a new one-time code to ``phone`` when a person's record has it (an earlier code
    for it is spent); nothing otherwise, and the caller says the same either way. The code
    is kept only as a digest and lasts ``WANGGE_RESIDENT_CODE_MINUTES``."""
    phone = mobile_checked(phone)
    if not _persons_with(phone):
        return
    digest = phone_key(phone)
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    now = timezone.now()
    minutes = settings.WANGGE_RESIDENT_CODE_MINUTES
    with transaction.atomic():
        SignInCode.objects.filter(phone_digest=digest, used_at=None).update(used_at=now)
        SignInCode.objects.create(phone_digest=digest, digest=_code_digest(digest, code),
                                  created=now,
                                  expires_at=now + datetime.timedelta(minutes=minutes))
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Your wangge sign-in code is %(code)s. It works once, for %(minutes)s "
                 "minutes. Never tell it to anyone, staff included.") % {
            "code": code, "minutes": minutes}
    try:
        code_sender().send(phone=phone, text=text)
    except Exception:  # a gateway's failure must not tell the asker anything either
        log.exception("The sign-in code could not be sent")


def sign_in_code_check(*, phone: str, code: str) -> Person:
    """The person whose phone this is, once ``code`` is the live code sent to it; the code is
    then spent. A wrong code counts against it (spent after ``WANGGE_RESIDENT_CODE_TRIES``);
    a wrong, expired, spent or never sent code are one and the same ValidationError."""
    phone = mobile_checked(phone)
    digest = phone_key(phone)
    now = timezone.now()
    with transaction.atomic():
        live = (SignInCode.objects.select_for_update()
                .filter(phone_digest=digest, used_at=None, expires_at__gt=now)
                .order_by("-created").first())
        typed = "".join(code.split())
        if live is None or not hmac.compare_digest(live.digest, _code_digest(digest, typed)):
            if live is not None:
                live.wrong_tries += 1
                if live.wrong_tries >= settings.WANGGE_RESIDENT_CODE_TRIES:
                    live.used_at = now
                live.save(update_fields=["wrong_tries", "used_at"])
            wrong = True
        else:
            live.used_at = now
            live.save(update_fields=["used_at"])
            wrong = False
    if wrong:
        # Outside the block, so that the wrong try counted above is kept.
        raise ValidationError({"code": _(WRONG_CODE)})
    persons = _persons_with(phone)
    if len(persons) != 1:
        # Several records share the number (a parent's phone on a child's record): which one
        # signs in is for the grid worker to settle, with a link.
        raise ValidationError({"code": _(
            "This number is on more than one person's record, so it cannot tell who you "
            "are. Ask your grid worker for a sign-in link.")}, code="shared")
    return persons[0]


def sign_in_link_create(*, person: Person, by: Actor) -> str:
    """A one-time sign-in link's secret for ``person`` (shown once; only its digest is
    kept), made by someone who edits the person's record in their jurisdiction; earlier
    links for the person stop working. It lasts ``WANGGE_RESIDENT_LINK_HOURS``."""
    require(by, Action.EDIT_PEOPLE)
    if person.merged_into_id is not None or not is_within(person.grid_code, by.scope_prefixes):
        raise PermissionDenied(_("This person is outside your jurisdiction."))
    secret = SignInLink.new_secret()
    now = timezone.now()
    with transaction.atomic():
        SignInLink.objects.filter(person=person, used_at=None).update(used_at=now)
        SignInLink.objects.create(
            person=person, digest=SignInLink.digest_of(secret), created_by=user_of(by),
            created=now,
            expires_at=now + datetime.timedelta(hours=settings.WANGGE_RESIDENT_LINK_HOURS))
    return secret


def sign_in_link_use(*, secret: str) -> Person:
    """The person a live link was made for; the link is then spent. Unknown, expired and
    spent links are one ValidationError."""
    now = timezone.now()
    with transaction.atomic():
        link = (SignInLink.objects.select_for_update(of=("self",)).select_related("person")
                .filter(digest=SignInLink.digest_of(secret), used_at=None,
                        expires_at__gt=now).first())
        if link is None:
            raise ValidationError(_("This sign-in link has expired or was already used. Ask "
                                    "your grid worker for a new one."))
        link.used_at = now
        link.save(update_fields=["used_at"])
    person = link.person
    while person.merged_into_id is not None:  # linked since: the record that was kept
        person = Person.objects.get(pk=person.merged_into_id)
    return person


def resident_account_for(*, person: Person) -> User:
    """The resident's account bound to ``person``, made at their first sign-in (no password:
    they sign in with a code or a link); its jurisdiction follows the person's grid, which
    names the community whose pages are theirs."""
    with transaction.atomic():
        found = (ResidentAccount.objects.select_for_update(of=("self",)).select_related("user")
                 .filter(person=person).first())
        if found is None:
            user, _password = user_create(
                by=RESIDENTS, username=f"resident-{person.pk}", role=Role.RESIDENT,
                jurisdictions=[person.grid_code], display_name=person.name[:150],
                password_by_link=True, reason=_("first sign-in"))
            ResidentAccount.objects.create(user=user, person=person)
            return user
        user = found.user
        codes = list(user.jurisdictions.values_list("code", flat=True))
        if codes != [person.grid_code]:  # moved since: the pages of the new community
            user_update(user=user, by=RESIDENTS, reason=_("moved"),
                        jurisdictions=[person.grid_code])
        return user


def correction_request(*, by: User, parts: list[str], text: str) -> CorrectionRequest:
    """A resident asks for their own record to be corrected: a task for the grid workers of
    their grid, who are told of it. At most ``OPEN_CORRECTIONS`` wait at once."""
    require(by, Action.VIEW_OWN_RECORD)
    person = resident_person(by)
    if person is None:
        raise PermissionDenied(_("This account is not linked to a person's record."))
    text = text.strip()
    errors = {}
    if not text:
        errors["text"] = [_("Say what is wrong and what it should be.")]
    elif len(text) > CORRECTION_CHARACTERS:
        errors["text"] = [_("Keep it under %(count)s characters.")
                          % {"count": CORRECTION_CHARACTERS}]
    if unknown := set(parts) - set(RecordPart.values):
        errors["parts"] = [_("Unknown part of the record: %(parts)s.")
                           % {"parts": ", ".join(sorted(unknown))}]
    waiting = CorrectionRequest.objects.filter(person=person, state=CorrectionState.OPEN)
    if waiting.count() >= OPEN_CORRECTIONS:
        errors["text"] = [_("You have %(count)s requests waiting already: wait for an answer "
                            "first.") % {"count": OPEN_CORRECTIONS}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        request = CorrectionRequest.objects.create(
            person=person, grid_code=person.grid_code, parts=sorted(set(parts)), text=text,
            created=timezone.now())
        notify_about(grid_workers_of(person.grid_code), kind=CORRECTION,
                     wording=gettext_noop("%(name)s asks for their record to be corrected."),
                     values={"name": person.name},
                     link=reverse("residents:correction", args=[request.pk]))
    return request


def correction_answer(*, request: CorrectionRequest, by: Actor, corrected: bool,
                      answer: str) -> CorrectionRequest:
    """Close a waiting correction: ``corrected`` (the record was changed, on the person's
    page, with its own reason and history) or not, with words for the resident."""
    require(by, Action.EDIT_PEOPLE)
    if not is_within(request.grid_code, by.scope_prefixes):
        raise PermissionDenied(_("This request is outside your jurisdiction."))
    answer = answer.strip()
    if request.state != CorrectionState.OPEN:
        raise ValidationError(_("This request was answered already."))
    if not answer:
        raise ValidationError({"answer": _("Tell the resident what was done, or why not.")})
    if len(answer) > ANSWER_CHARACTERS:
        raise ValidationError({"answer": _("Keep it under %(count)s characters.")
                               % {"count": ANSWER_CHARACTERS}})
    request.state = CorrectionState.DONE if corrected else CorrectionState.DECLINED
    request.answer, request.answered_at = answer, timezone.now()
    request.answered_by = user_of(by)
    request.save(update_fields=["state", "answer", "answered_at", "answered_by"])
    notify_about(_accounts_of(request.person_id), kind=ANSWER,
                 wording=gettext_noop("Your grid worker answered your request of %(date)s to "
                                      "correct your record."),
                 values={"date": f"{timezone.localdate(request.created):%Y-%m-%d}"},
                 link=reverse("residents:me") + "#corrections")
    return request


def _accounts_of(person_id: int) -> list[User]:
    return list(User.objects.filter(resident_account__person_id=person_id))


# Each kind of request is filed under its own shipped category (events.default_categories),
# whose hours give the deadline.
REQUEST_CATEGORIES = {RequestKind.QUESTION: "resident-question",
                      RequestKind.NEED: "resident-need",
                      RequestKind.COMPLAINT: "resident-complaint"}
# A person may have this many requests open at once; each says at most so much.
OPEN_REQUESTS = 5
REQUEST_CHARACTERS = 1000


# The name a resident's pages act under, in the history of the events they file and reopen.
OWN_PAGE = "a resident's own request"


def _own_page(grid_code: str) -> SystemActor:
    """The resident's pages acting for them (a resident does not triage events), within the
    one grid concerned and named in the event's history."""
    return system_actor(OWN_PAGE, scope_prefixes=(grid_code,))


def _resident(by: User) -> Person:
    require(by, Action.VIEW_OWN_RECORD)
    person = resident_person(by)
    if person is None:
        raise PermissionDenied(_("This account is not linked to a person's record."))
    return person


def resident_request_file(*, by: User, kind: str, text: str,
                          photos: Sequence[IO[bytes]] = ()) -> ResidentRequest:
    """A signed-in resident asks a question, says a need or makes a complaint: an event of
    the kind's category in their own grid (at their dwelling, else the grid's middle), filed
    through ``events.services.event_report`` like any other, so its deadline, escalation,
    dispatch, handling and closing are the event loop's. At most ``OPEN_REQUESTS`` open, with
    at most ``WANGGE_PUBLIC_MAX_PHOTOS`` photos (decoded before the transaction)."""
    person = _resident(by)
    text = text.strip()
    errors: dict[str, list[str]] = {}
    if kind not in RequestKind.values:
        errors["kind"] = [_("Choose a question, a need or a complaint.")]
    if not text:
        errors["text"] = [_("Say what you ask.")]
    elif len(text) > REQUEST_CHARACTERS:
        errors["text"] = [_("Keep it under %(count)s characters.")
                          % {"count": REQUEST_CHARACTERS}]
    if len(photos) > settings.WANGGE_PUBLIC_MAX_PHOTOS:
        errors["photos"] = [_("Send at most %(count)s photos.")
                            % {"count": settings.WANGGE_PUBLIC_MAX_PHOTOS}]
    place: dict = {}
    if person.dwelling_id is not None:
        place = {"dwelling": person.dwelling}
    elif (point := grid_point(person.grid_code)) is not None:
        place = {"longitude": point[0], "latitude": point[1]}
    else:
        errors["text"] = [_("Your record has no address or grid yet: ask your grid worker.")]
    if errors:
        raise ValidationError(errors)
    prepared = photos_prepared(photos)
    category = Category.objects.get(code=REQUEST_CATEGORIES[RequestKind(kind)])
    with transaction.atomic():
        # One at a time per resident, so that two taps cannot pass the bound together.
        ResidentAccount.objects.select_for_update().filter(user=by).first()
        if (ResidentRequest.objects.filter(person=person)
                .exclude(event__state__in=FINAL_STATES).count() >= OPEN_REQUESTS):
            raise ValidationError({"text": [
                _("You have %(count)s requests open already: wait for an answer first.")
                % {"count": OPEN_REQUESTS}]})
        event = event_report(category=category, description=text, by=_own_page(person.grid_code),
                             channel=Channel.PUBLIC, photos=prepared, **place)
        return ResidentRequest.objects.create(event=event, person=person, kind=kind,
                                              grid_code=event.grid_code,
                                              created=event.reported_at)


# What a resident hears in their inbox when their request reaches one of these states.
REQUEST_NEWS = {
    State.FEEDBACK: gettext_noop("Your request of %(date)s has an answer."),
    State.CLOSED: gettext_noop("Your request of %(date)s is closed: say whether the answer "
                               "satisfied you."),
    State.DECLINED: gettext_noop("Your request of %(date)s was not taken up."),
}


def request_news(sender: object, *, kind: str, event: Event, **news: object) -> None:
    """The receiver of ``events.signals.event_news``: the resident whose request an event is
    (they follow no event; their pages filed it) hears that it was answered, closed or not
    taken up, with a link to their own page of it."""
    if kind != News.STATE or event.channel != Channel.PUBLIC or event.state not in REQUEST_NEWS:
        return
    request = ResidentRequest.objects.filter(event=event).first()
    if request is not None:
        notify_about(_accounts_of(request.person_id), kind=ANSWER,
                     wording=REQUEST_NEWS[State(event.state)],
                     values={"date": f"{timezone.localdate(request.created):%Y-%m-%d}"},
                     link=reverse("residents:request", args=[request.pk]))


def resident_request_rate(*, request: ResidentRequest, by: User, satisfaction: str,
                          comment: str = "") -> EventRating:
    """The resident rates their own closed request (satisfied, basically, not; a comment):
    ``events.services.event_rate`` says what follows (one per closing; the first
    unsatisfied rating reopens it one level up, a later one reopens nothing)."""
    person = _resident(by)
    if request.person_id != person.pk:
        raise PermissionDenied(_("This is not your request."))
    if len(comment.strip()) > RATING_COMMENT_MAX:
        raise ValidationError({"comment": _("Say it in at most %(count)s characters.")
                               % {"count": RATING_COMMENT_MAX}})
    return event_rate(event=request.event, satisfaction=satisfaction, comment=comment,
                      by=_own_page(request.event.grid_code), source=RatingSource.RESIDENT)
