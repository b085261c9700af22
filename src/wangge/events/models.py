"""Events (事件) and their closed loop (GB/T 34300): categories, events, photos, the recorded
transitions and comments. Who should hear of a change is announced (``signals.py``); the
inbox and its delivery live in ``wangge.notifications``.

Rules live in ``workflow.py`` (which transition, by whom) and ``services.py`` (the writes).
"""

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wangge.foundation.codes import ScopedQuerySet


class Priority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")


class State(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    DISPATCHED = "dispatched", _("Dispatched")
    HANDLING = "handling", _("Handling")
    FEEDBACK = "feedback", _("Fed back")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged")


# No one acts on these any more: they are never overdue and never escalated.
FINAL_STATES = (State.CLOSED, State.DECLINED, State.MERGED)


class Channel(models.TextChoices):
    """How an event reached us."""

    WEB = "web", _("Pages")
    API = "api", _("API")
    PUBLIC = "public", _("Public page")


class Category(models.Model):
    """A node of the configurable category tree, with the time allowed at each priority."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True,
                               related_name="children", verbose_name=_("parent"))
    hours_urgent = models.PositiveIntegerField(_("hours allowed when urgent"), default=24)
    hours_high = models.PositiveIntegerField(_("hours allowed when high"), default=72)
    hours_normal = models.PositiveIntegerField(_("hours allowed when normal"), default=168)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)
    # Reports of this kind tell about someone's health or circumstances (a fever, a person
    # living alone, a family dispute): never listed, offered or shown to the public or to
    # Open311 clients. A group marks every category under it.
    sensitive = models.BooleanField(
        _("sensitive"), default=False,
        help_text=_("Reveals someone's health or circumstances: never shown to the public "
                    "or to Open311 clients, and not offered on the residents' page."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("event category")
        verbose_name_plural = _("event categories")

    def __str__(self) -> str:
        return self.name

    def time_allowed(self, priority: str) -> datetime.timedelta:
        return datetime.timedelta(hours=getattr(self, f"hours_{priority}"))

    @property
    def is_sensitive(self) -> bool:
        return self.sensitive or (self.parent is not None and self.parent.sensitive)


# A public ticket: 12 characters of Crockford's base32 (no I, L, O or U to misread), 60
# random bits, so that no one can guess another's ticket or count the reports.
TICKET_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TICKET_LENGTH = 12


def new_ticket() -> str:
    return "".join(secrets.choice(TICKET_ALPHABET) for _ in range(TICKET_LENGTH))


class StillOpen(models.Func):
    """``state`` is not a final state, with the states written into the SQL rather than sent
    as parameters: SQLite uses a partial index only where the query's condition is the
    index's own (``NOT (state IN ('closed', ...))``), which a parameter never is. The states
    are the code's constants, never input."""

    template = "NOT (%(expressions)s IN ({}))".format(
        ", ".join(f"'{state}'" for state in FINAL_STATES))
    output_field = models.BooleanField()


class EventQuerySet(ScopedQuerySet):
    def open(self) -> "EventQuerySet":
        return self.filter(StillOpen("state"))

    def finished(self) -> "EventQuerySet":
        return self.filter(state__in=FINAL_STATES)

    def overdue(self, now: datetime.datetime) -> "EventQuerySet":
        return self.open().filter(deadline__lt=now)

    def escalated(self) -> "EventQuerySet":
        return self.filter(escalations__gt=0)


class Event(models.Model):
    """Anything reported for handling, placed in one grid (``grid_code``, which scopes it)."""

    category = models.ForeignKey(Category, models.PROTECT, related_name="events",
                                 verbose_name=_("category"))
    description = models.TextField(_("description"), max_length=2000)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices,
                                default=Priority.NORMAL)
    state = models.CharField(_("state"), max_length=12, choices=State.choices,
                             default=State.REPORTED)
    # The place: a point, a building or a dwelling; the grid is derived from it.
    grid_code = models.CharField(_("grid code"), max_length=15)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    building = models.ForeignKey("places.Building", models.PROTECT, null=True, blank=True,
                                 related_name="events", verbose_name=_("building"))
    dwelling = models.ForeignKey("places.Dwelling", models.PROTECT, null=True, blank=True,
                                 related_name="events", verbose_name=_("dwelling"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                 blank=True, related_name="reported_events",
                                 verbose_name=_("reporter"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices,
                               default=Channel.WEB)
    reported_at = models.DateTimeField(_("reported at"))
    deadline = models.DateTimeField(_("deadline"))
    organization = models.ForeignKey("organizations.Organization", models.PROTECT, null=True,
                                     blank=True, related_name="events",
                                     verbose_name=_("handling organization"))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                 blank=True, related_name="assigned_events",
                                 verbose_name=_("assignee"))
    # 承办人: who took the event in hand at the handling organization (set when they start
    # handling it or report the result; cleared when it is returned or reopened).
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                blank=True, related_name="handled_events",
                                verbose_name=_("handler"))
    # Escalation climbs grid → community → street → district: the division now answering
    # for the event, how often it climbed, and when it may climb next if still overdue.
    responsible_code = models.CharField(_("responsible division"), max_length=15)
    escalations = models.PositiveSmallIntegerField(_("escalations"), default=0)
    escalate_after = models.DateTimeField(null=True, blank=True, editable=False)
    duplicate_of = models.ForeignKey("self", models.PROTECT, null=True, blank=True,
                                     related_name="duplicates", verbose_name=_("merged into"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The number the public follows a report by (``number`` counts and is for staff only).
    ticket = models.CharField(_("public ticket"), max_length=TICKET_LENGTH, unique=True,
                              default=new_ticket, editable=False)
    history = HistoricalRecords()

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["grid_code", "state"], name="event_scope_state"),
            models.Index(fields=["state", "deadline"], name="event_state_deadline"),
            models.Index(fields=["escalate_after"], name="event_escalate_after"),
            models.Index(fields=["category", "state"], name="event_category_state"),
            # Open events are a few per cent of the table (finished ones pile up for years):
            # the overdue list and the dashboard counts read these small partial indexes.
            # In deadline order (a district's overdue list, soonest first) ...
            models.Index(fields=["deadline"], condition=~models.Q(state__in=FINAL_STATES),
                         name="event_open_deadline"),
            # ... and per jurisdiction, with what the counts need, so that PostgreSQL
            # answers them from the index alone (key columns: SQLite has no ``include``).
            models.Index(fields=["grid_code", "deadline", "state", "escalations"],
                         condition=~models.Q(state__in=FINAL_STATES),
                         name="event_open_scope_deadline"),
            # The cockpit: a grid's events of one day, recounted into its tally after each
            # change (tally.py) ...
            models.Index(fields=["grid_code", "reported_at"], name="event_scope_reported"),
            # ... and the open events not yet due, soonest first: the few from which
            # "overdue now" follows (open, from the tally, less these).
            models.Index(fields=["deadline", "grid_code", "reported_at", "state", "category",
                                 "channel"],
                         condition=~models.Q(state__in=FINAL_STATES), name="event_open_due"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.category}"

    @property
    def number(self) -> str:
        """The number staff quote (事件编号); it counts, so the public never sees it and
        follows ``ticket`` instead."""
        return f"SJ{self.pk:08d}"

    @property
    def is_open(self) -> bool:
        return self.state not in FINAL_STATES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.deadline < timezone.now()


class PhotoStage(models.TextChoices):
    """When a photo was taken: with the report (before), or with the result (after)."""

    REPORT = "report", _("With the report")
    AFTER = "after", _("After handling")


def photo_path(photo: "EventPhoto", filename: str) -> str:
    # The stored name is ours, never the uploader's (which may carry personal data).
    return f"events/{photo.event_id}/{datetime.date.today():%Y%m}/{filename}"


class TallyFacet(models.TextChoices):
    """What a row of the tally counts: a grid's day in all, or one top category or channel."""

    ALL = "all"
    CATEGORY = "category"
    CHANNEL = "channel"


class EventTally(models.Model):
    """How many events were reported in one grid on one day (local time), and what became of
    them: closed (on time or late), declined or merged, the rest still open. Per grid and day
    one row in all (``facet`` all), one per top category (``value`` its id) and one per
    channel (``value`` the channel).

    Derived data, never edited: ``tally.tally_refresh`` recounts a grid's day from its events
    in the transaction of every service that changes one of them, and ``wangge events-tally``
    rebuilds or checks it. The cockpit reads it instead of grouping a million events."""

    facet = models.CharField(max_length=8, choices=TallyFacet.choices)
    value = models.CharField(max_length=20, blank=True)
    grid_code = models.CharField(max_length=15)
    day = models.DateField()
    reported = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    closed_on_time = models.PositiveIntegerField(default=0)
    set_aside = models.PositiveIntegerField(default=0)  # declined or merged

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["facet", "grid_code", "day", "value"],
                                               name="one_tally_per_grid_day")]
        # Covering indexes (SQLite has no ``include``): a district's month by day, a grid's by
        # grid, both answered from the index alone.
        indexes = [
            models.Index(fields=["facet", "day", "grid_code", "value", "reported", "closed",
                                 "closed_on_time", "set_aside"], name="tally_by_day"),
            models.Index(fields=["facet", "grid_code", "day", "value", "reported", "closed",
                                 "closed_on_time", "set_aside"], name="tally_by_grid"),
        ]

    def __str__(self) -> str:
        return f"{self.grid_code} {self.day} {self.facet} {self.value}".rstrip()


class EventPhoto(models.Model):
    """A photo re-encoded without EXIF (no location, no camera), stored under MEDIA_ROOT."""

    event = models.ForeignKey(Event, models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=photo_path)
    content_type = models.CharField(max_length=30)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    stage = models.CharField(_("stage"), max_length=10, choices=PhotoStage.choices,
                             default=PhotoStage.REPORT)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                    blank=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("event photo")
        verbose_name_plural = _("event photos")

    def __str__(self) -> str:
        return self.image.name


class EventTransition(models.Model):
    """One step of the loop: from which state to which, by whom, when, and why."""

    event = models.ForeignKey(Event, models.CASCADE, related_name="transitions")
    action = models.CharField(_("action"), max_length=20)
    source = models.CharField(_("from"), max_length=12, choices=State.choices, blank=True)
    target = models.CharField(_("to"), max_length=12, choices=State.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("actor"))
    at = models.DateTimeField(_("time"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("event transition")
        verbose_name_plural = _("event transitions")

    def __str__(self) -> str:
        return f"{self.source or '-'} → {self.target}"


class EventComment(models.Model):
    event = models.ForeignKey(Event, models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                               verbose_name=_("author"))
    text = models.TextField(_("comment"), max_length=2000)
    at = models.DateTimeField(_("time"))
    mentioned = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("event comment")
        verbose_name_plural = _("event comments")

    def __str__(self) -> str:
        return self.text[:50]


class Satisfaction(models.TextChoices):
    """The resident's satisfaction rating (满意度) once an event is closed."""

    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Not satisfied")


class RatingSource(models.TextChoices):
    PUBLIC = "public", _("Public status page")
    CALL = "call", _("Follow-up call")
    RESIDENT = "resident", _("The resident's own page")


RATING_COMMENT_MAX = 500


class EventRating(models.Model):
    """A satisfaction rating of a closed event: one per closing, by the resident on the
    public status page or recorded by staff after a follow-up call (回访). An unsatisfied
    rating reopens the event once, one level up (``reopened``)."""

    event = models.ForeignKey(Event, models.CASCADE, related_name="ratings",
                              verbose_name=_("event"))
    satisfaction = models.CharField(_("satisfaction"), max_length=12,
                                    choices=Satisfaction.choices)
    comment = models.TextField(_("comment"), max_length=RATING_COMMENT_MAX, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=RatingSource.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                    blank=True, related_name="+",
                                    verbose_name=_("recorded by"))
    at = models.DateTimeField(_("time"))
    reopened = models.BooleanField(_("reopened the event"), default=False)
    # Where and for whom the rating counts (the satisfaction figures): the event's grid, and
    # the organization that handled what was rated, kept here because a reopening clears the
    # event's own.
    grid_code = models.CharField(_("grid code"), max_length=15)
    organization = models.ForeignKey("organizations.Organization", models.SET_NULL, null=True,
                                     blank=True, related_name="+",
                                     verbose_name=_("handling organization"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["grid_code", "at"], name="rating_scope_at")]
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")

    def __str__(self) -> str:
        return f"{self.event_id} {self.satisfaction}"


class DispatchDefault(models.Model):
    """The organization that usually handles a category where it serves: dispatch
    preselects it for events of that category (or of a category under it) when it is
    among the organizations the event may go to. Set in the back office, per jurisdiction."""

    category = models.ForeignKey(Category, models.CASCADE, related_name="dispatch_defaults",
                                 verbose_name=_("category"))
    organization = models.ForeignKey("organizations.Organization", models.CASCADE,
                                     related_name="dispatch_defaults",
                                     verbose_name=_("handling organization"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category", "organization"],
                                               name="unique_dispatch_default")]
        verbose_name = _("usual handler of a category")
        verbose_name_plural = _("usual handlers of categories")

    def __str__(self) -> str:
        return f"{self.category} → {self.organization}"


class Responder(models.Model):
    """A user who receives and handles the events dispatched to an organization (the desk of
    a department, a property company, the community office)."""

    organization = models.ForeignKey("organizations.Organization", models.CASCADE,
                                     related_name="responders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE,
                             related_name="responder_for")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "user"],
                                               name="unique_responder")]
        verbose_name = _("responder")
        verbose_name_plural = _("responders")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"


class News(models.TextChoices):
    """What the event loop tells people (``signals.event_news``); each is a kind of
    notification."""

    REPORTED = "reported", _("New event in my area")
    STATE = "state", _("An event I follow changed state")
    DISPATCHED = "dispatched", _("An event was dispatched to my organization")
    ASSIGNED = "assigned", _("An event was assigned to me")
    COMMENT = "comment", _("A comment on an event I follow")
    MENTION = "mention", _("Someone mentioned me")
    MERGED = "merged", _("My report was merged into another")
    ESCALATED = "escalated", _("An overdue event was escalated")
    REOPENED = "reopened", _("A resident was not satisfied: an event was reopened")
