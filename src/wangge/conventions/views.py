"""Pages of conventions: staff draft and amend (any version, and the diff between two), open
the discussion and the vote, follow turnout per grid and building, close it, hide comments,
handle breaches and record reviews; a resident reads, comments and votes on a phone; anyone
reads a community's conventions in force and past votes."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from wangge.access.decorators import action_required
from wangge.divisions.selectors import area_names
from wangge.foundation.forms import refusal_text, service_errors_shown
from wangge.foundation.paging import page_of
from wangge.foundation.permissions import Action, can
from wangge.foundation.requests import SignedInRequest
from wangge.places.models import Building
from wangge.residents.selectors import resident_person

from .diff import version_diff
from .forms import (
    BallotForm,
    BreachForm,
    CommentForm,
    ConventionForm,
    HandleForm,
    ReasonForm,
    ReviewForm,
    VersionForm,
    VoteForm,
)
from .models import Comment, Convention, State
from .selectors import (
    breaches_visible_to,
    breaches_waiting,
    conventions_of,
    conventions_visible_to,
    own_participation,
    public_community,
    public_conventions,
    tally_by_grid,
    turnout_by_area,
)
from .services import (
    ballot_cast,
    breach_handle,
    breach_report,
    comment_add,
    comment_hide,
    convention_create,
    convention_repeal,
    discussion_open,
    latest_version,
    review_record,
    version_add,
    vote_close,
    vote_open,
)

VIEW, MANAGE, OWN = Action.VIEW_CONVENTIONS, Action.MANAGE_CONVENTIONS, Action.VIEW_OWN_RECORD
MAX_VERSION = 100_000


def _number(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and 0 < int(value) <= MAX_VERSION else None


def _text_and_diff(convention: Convention, request: HttpRequest) -> dict[str, Any]:
    """The version asked for (``?version=``; else the current text, else the latest) and,
    with ``?old=&new=``, the diff between two versions."""
    versions = list(convention.versions.order_by("number"))
    by_number = {version.number: version for version in versions}
    shown = (by_number.get(_number(request, "version") or 0) or convention.current_version
             or versions[-1])
    old, new = by_number.get(_number(request, "old") or 0), by_number.get(
        _number(request, "new") or 0)
    diff = version_diff(old.text, new.text) if old and new else None
    return {"versions": versions, "shown": shown, "old": old, "new": new, "diff": diff}


@action_required(VIEW)
def convention_list(request: SignedInRequest) -> HttpResponse:
    conventions = conventions_visible_to(request.user).order_by("-created", "-pk")
    return render(request, "conventions/list.html", {
        "conventions": page_of(request, conventions),
        "breaches": list(breaches_waiting(request.user)[:20]),
        "manages": can(request.user, MANAGE)})


@require_http_methods(["GET", "POST"])
@action_required(MANAGE)
def convention_new(request: SignedInRequest) -> HttpResponse:
    form = ConventionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            convention = convention_create(by=request.user, **form.service_fields())
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("conventions:detail", pk=convention.pk)
    return render(request, "conventions/new.html", {"form": form},
                  status=400 if form.errors else 200)


def _detail_context(request: SignedInRequest, convention: Convention) -> dict[str, Any]:
    vote = getattr(convention, "vote", None)
    names = area_names([convention.code, *convention.grid_codes])
    return {
        "convention": convention, **_text_and_diff(convention, request),
        "community": names.get(convention.code, convention.code),
        "grids": [names.get(code, code) for code in convention.grid_codes],
        "vote": vote, "turnout": turnout_by_area(vote) if vote is not None else None,
        "tally": tally_by_grid(vote) if vote is not None else [],
        "live_turnout": vote.participations.count() if vote is not None else 0,
        "comments": convention.comments.select_related("hidden_by").order_by("created", "pk"),
        "breaches": breaches_visible_to(request.user).filter(convention=convention)[:50],
        "reviews": convention.reviews.all(),
        "manages": can(request.user, MANAGE),
        "version_form": VersionForm(initial={"text": latest_version(convention).text}),
        "vote_form": VoteForm(), "reason_form": ReasonForm(), "comment_form": CommentForm(),
        "breach_form": BreachForm(community_code=convention.code), "review_form": ReviewForm(),
    }


def _visible(request: SignedInRequest, pk: int) -> Convention:
    return get_object_or_404(conventions_visible_to(request.user).select_related(
        "current_version", "vote__version"), pk=pk)


@action_required(VIEW)
def convention_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """A convention: any version and the diff between two, the discussion, the vote with its
    turnout per grid and building (the tally once closed), breaches and reviews."""
    convention = _visible(request, pk)
    return render(request, "conventions/detail.html", _detail_context(request, convention))


def _step(request: SignedInRequest, convention: Convention, step: str) -> str:
    """Run one of the detail page's forms through its service; the message to show."""
    user, post = request.user, request.POST
    form: Any
    if step == "version":
        form = VersionForm(post)
        if form.is_valid():
            number = form.cleaned_data["from_comment"]
            comment = (convention.comments.filter(pk=number).first()
                       if number is not None else None)
            version = version_add(convention=convention, by=user, text=form.cleaned_data["text"],
                                  why=form.cleaned_data["why"], from_comment=comment)
            return _("Version %(number)s is saved.") % {"number": version.number}
    elif step == "discussion":
        discussion_open(convention=convention, by=user)
        return _("Open for discussion; the residents concerned are told.")
    elif step == "vote":
        form = VoteForm(post)
        if form.is_valid():
            vote = vote_open(convention=convention, by=user, **form.cleaned_data)
            return _("The vote is open: %(count)s may vote.") % {"count": vote.electorate}
    elif step == "close":
        running = getattr(convention, "vote", None)
        if running is None:
            raise Http404
        closed = vote_close(vote=running, by=user)
        return _("Adopted.") if closed.adopted else _("Rejected.")
    elif step == "repeal":
        form = ReasonForm(post)
        if form.is_valid():
            convention_repeal(convention=convention, by=user, reason=form.cleaned_data["reason"])
            return _("The convention is repealed.")
    elif step == "comment":
        form = CommentForm(post)
        if form.is_valid():
            comment_add(convention=convention, by=user, **form.cleaned_data)
            return _("Your comment is published.")
    elif step == "breach":
        form = BreachForm(post, community_code=convention.code)
        if form.is_valid():
            _breach(convention, user, form)
            return _("The breach is reported to the community's staff.")
    elif step == "review":
        form = ReviewForm(post)
        if form.is_valid():
            review_record(convention=convention, by=user, **form.cleaned_data)
            return _("The review is recorded.")
    else:
        raise Http404
    raise ValidationError(form.errors.as_text())


def _breach(convention: Convention, user: Any, form: BreachForm) -> None:
    number = form.cleaned_data["building"]
    building = Building.objects.filter(pk=number).first() if number is not None else None
    breach_report(convention=convention, by=user, text=form.cleaned_data["text"],
                  building=building)


@require_POST
@action_required(VIEW)
def convention_step(request: SignedInRequest, pk: int, step: str) -> HttpResponse:
    convention = _visible(request, pk)
    try:
        messages.success(request, _step(request, convention, step))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    return redirect("conventions:detail", pk=convention.pk)


@require_POST
@action_required(MANAGE)
def hide(request: SignedInRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.filter(
        convention__in=conventions_visible_to(request.user)).select_related("convention"),
        pk=pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why the comment is hidden."))
        comment_hide(comment=comment, by=request.user, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("The comment is hidden; the reason is shown instead."))
    return redirect("conventions:detail", pk=comment.convention_id)


@require_http_methods(["GET", "POST"])
@action_required(VIEW)
def breach(request: SignedInRequest, pk: int) -> HttpResponse:
    """A breach reported, and what was done about it."""
    found = get_object_or_404(breaches_visible_to(request.user), pk=pk)
    form = HandleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            breach_handle(breach=found, by=request.user,
                          action_taken=form.cleaned_data["action_taken"])
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, refusal_text(error))
        else:
            messages.success(request, _("Recorded: the breach is dealt with."))
            return redirect("conventions:breach", pk=found.pk)
    return render(request, "conventions/breach.html", {"breach": found, "form": form})


def public(request: HttpRequest, code: str) -> HttpResponse:
    """A community's conventions in force and its past votes, with result and turnout, for
    anyone (no sign-in); nothing personal."""
    community = public_community(code)
    if community is None:
        raise Http404
    conventions = list(public_conventions(community))
    return render(request, "conventions/public.html", {
        "community": community,
        "in_force": [c for c in conventions if c.state == State.IN_FORCE],
        "votes": conventions})


@action_required(OWN)
def mine(request: SignedInRequest) -> HttpResponse:
    person = resident_person(request.user)
    return render(request, "conventions/mine.html", {
        "linked": person is not None, "conventions": conventions_of(person)})


def _own(request: SignedInRequest, pk: int) -> Convention:
    for convention in conventions_of(resident_person(request.user)):
        if convention.pk == pk:
            return convention
    raise Http404


@action_required(OWN)
def mine_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """A convention that concerns the resident: its text (any version, and the changes), the
    discussion, and the vote with their household's part in it (never its choice)."""
    convention = _own(request, pk)
    vote = getattr(convention, "vote", None)
    person = resident_person(request.user)
    return render(request, "conventions/mine_detail.html", {
        "convention": convention, **_text_and_diff(convention, request), "vote": vote,
        "mine": own_participation(person, vote) if vote is not None else None,
        "live_turnout": vote.participations.count() if vote is not None else 0,
        "comments": convention.comments.order_by("created", "pk"),
        "comment_form": CommentForm(), "ballot_form": BallotForm(),
        "breach_form": BreachForm(community_code=convention.code)})


@require_POST
@action_required(OWN)
def mine_step(request: SignedInRequest, pk: int, step: str) -> HttpResponse:
    """Comment, vote or report a breach, as the resident."""
    convention = _own(request, pk)
    try:
        if step == "comment":
            form: Any = CommentForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors.as_text())
            comment_add(convention=convention, by=request.user, **form.cleaned_data)
            messages.success(request, _("Your comment is published."))
        elif step == "ballot":
            vote = getattr(convention, "vote", None)
            form = BallotForm(request.POST)
            if vote is None or not form.is_valid():
                raise ValidationError(_("Choose for, against or abstain."))
            ballot_cast(vote=vote, by=request.user, choice=form.cleaned_data["choice"])
            messages.success(request, _("Your vote is counted. It is secret: no one sees "
                                        "what you chose."))
        elif step == "breach":
            form = BreachForm(request.POST, community_code=convention.code)
            if not form.is_valid():
                raise ValidationError(form.errors.as_text())
            _breach(convention, request.user, form)
            messages.success(request, _("The breach is reported to the community's staff."))
        else:
            raise Http404
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    return redirect("conventions:mine_detail", pk=convention.pk)
