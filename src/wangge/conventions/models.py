"""Community conventions (居民公约) and proposals (议题): their text in versions, the
discussion, the vote of the households (or persons) concerned, and the supervision of a
convention in force (breaches reported, reviews).

Ballots are secret. Who took part (``Participation``: a household or a person, where and
when) and what was chosen (``Ballot``: the choice alone, under a random key, with no time and
no voter) are kept in two tables that share nothing but the vote and the grid, so no query
can join a choice to a household."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from wangge.foundation.codes import ScopedQuerySet


class Kind(models.TextChoices):
    CONVENTION = "convention", _("Convention")
    PROPOSAL = "proposal", _("Proposal")


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DISCUSSION = "discussion", _("Open for discussion")
    VOTING = "voting", _("Being voted on")
    IN_FORCE = "in_force", pgettext_lazy("a convention", "In force")  # a convention adopted
    ADOPTED = "adopted", _("Adopted")  # a proposal adopted
    REJECTED = "rejected", pgettext_lazy("a convention", "Rejected")
    SUPERSEDED = "superseded", pgettext_lazy("a convention", "Superseded")
    REPEALED = "repealed", _("Repealed")


class ConventionQuerySet(ScopedQuerySet):
    """Scoped by the community a convention belongs to (``code``)."""

    scope_field = "code"


class Convention(models.Model):
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=120)
    # The community it belongs to (12 digits); the households concerned live there, in
    # ``grid_codes`` or ``building_ids`` when either is given.
    code = models.CharField(_("community code"), max_length=12)
    grid_codes = models.JSONField(_("grids concerned"), default=list, blank=True)
    building_ids = models.JSONField(_("buildings concerned"), default=list, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices,
                             default=State.DRAFT)
    # The text in force: the version last adopted (none before a vote adopts one).
    current_version = models.ForeignKey("Version", models.SET_NULL, null=True, blank=True,
                                        related_name="+", verbose_name=_("current version"))
    supersedes = models.ForeignKey("self", models.PROTECT, null=True, blank=True,
                                   related_name="superseded_by",
                                   verbose_name=_("supersedes"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                   related_name="+")
    created = models.DateTimeField(_("written"))
    history = HistoricalRecords()

    objects = ConventionQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["code", "state"], name="convention_code")]
        verbose_name = _("convention")
        verbose_name_plural = _("conventions")

    def __str__(self) -> str:
        return self.title

    @property
    def whole_community(self) -> bool:
        return not self.grid_codes and not self.building_ids


class Version(models.Model):
    """A text of a convention: every amendment is a new version, never an edit."""

    convention = models.ForeignKey(Convention, models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"))
    why = models.CharField(_("why"), max_length=200)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                           related_name="+")
    created = models.DateTimeField(_("written"))
    # The resident's (or staff's) amendment it takes in, where it came from one.
    from_comment = models.ForeignKey("Comment", models.SET_NULL, null=True, blank=True,
                                     related_name="+")

    class Meta:
        ordering = ["convention", "number"]
        constraints = [models.UniqueConstraint(fields=["convention", "number"],
                                               name="one_version_number")]
        verbose_name = _("version")
        verbose_name_plural = _("versions")

    def __str__(self) -> str:
        return f"{self.convention_id} v{self.number}"


class Comment(models.Model):
    """A word in the discussion, by a resident concerned or a member of staff; an amendment
    proposes a whole new text. Hidden (abusive), it stays, with who hid it and why."""

    convention = models.ForeignKey(Convention, models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                               related_name="+")
    author_name = models.CharField(_("name"), max_length=150)
    staff = models.BooleanField(_("by staff"), default=False)
    text = models.TextField(pgettext_lazy("a convention's discussion", "comment"))
    amendment = models.TextField(_("amendment proposed"), blank=True)
    created = models.DateTimeField(_("written"))
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                  blank=True, related_name="+")
    hidden_reason = models.CharField(_("why hidden"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["convention", "created", "id"]
        indexes = [models.Index(fields=["author", "created"], name="comment_author")]
        verbose_name = pgettext_lazy("a convention's discussion", "comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.text[:50]


class Rule(models.TextChoices):
    HOUSEHOLD = "household", _("One vote per household")
    PERSON = "person", _("One vote per person aged 18 or over")


class Majority(models.TextChoices):
    SIMPLE = "simple", _("More for than against")
    TWO_THIRDS = "two_thirds", _("At least two thirds of for and against")


class Choice(models.TextChoices):
    FOR = "for", _("For")
    AGAINST = "against", _("Against")
    ABSTAIN = "abstain", _("Abstain")


class Vote(models.Model):
    """The vote on one version of a convention: its rule, quorum, majority and deadline, its
    electorate counted when it opened, and its result once closed."""

    convention = models.OneToOneField(Convention, models.CASCADE, related_name="vote")
    version = models.ForeignKey(Version, models.RESTRICT, related_name="+",
                                verbose_name=_("version voted on"))
    rule = models.CharField(_("rule"), max_length=10, choices=Rule.choices)
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (%)"), help_text=_("The share of the electorate that must vote."))
    majority = models.CharField(_("majority"), max_length=10, choices=Majority.choices,
                                default=Majority.SIMPLE)
    opened_at = models.DateTimeField(_("opened"))
    deadline = models.DateTimeField(pgettext_lazy("a vote", "deadline"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                  related_name="+")
    electorate = models.PositiveIntegerField(_("electorate"), default=0,
                                             help_text=_("Households or persons who may vote"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    turnout = models.PositiveIntegerField(_("voted"), default=0)
    votes_for = models.PositiveIntegerField(_("for"), default=0)
    votes_against = models.PositiveIntegerField(_("against"), default=0)
    abstentions = models.PositiveIntegerField(_("abstentions"), default=0)
    quorum_met = models.BooleanField(_("quorum met"), null=True, blank=True)
    adopted = models.BooleanField(_("adopted"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        indexes = [models.Index(fields=["closed_at", "deadline"], name="vote_due")]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")

    def __str__(self) -> str:
        return f"{self.convention}"

    @property
    def turnout_percent(self) -> float:
        return round(100 * self.turnout / self.electorate, 1) if self.electorate else 0.0


class Elector(models.Model):
    """A person who may cast the vote, resolved once when it opened (a later move changes
    nothing): an adult of a household concerned (the household is the ``unit`` that votes
    once), or an adult concerned under the per-person rule (the person is the unit)."""

    vote = models.ForeignKey(Vote, models.CASCADE, related_name="electors")
    person = models.ForeignKey("people.Person", models.CASCADE, related_name="+")
    # "household:<id>" or "person:<id>": what votes once.
    unit = models.CharField(max_length=32)
    # Where the unit lived when the vote opened (a household's own grid and building).
    grid_code = models.CharField(_("grid code"), max_length=15)
    building_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "person"],
                                               name="one_elector_per_person")]
        indexes = [models.Index(fields=["vote", "unit"], name="elector_unit"),
                   models.Index(fields=["vote", "grid_code"], name="elector_grid")]

    def __str__(self) -> str:
        return f"{self.vote_id}: {self.unit}"


class Participation(models.Model):
    """That a unit (household or person) voted: never what it chose. The database refuses a
    second one for the same unit."""

    vote = models.ForeignKey(Vote, models.CASCADE, related_name="participations")
    unit = models.CharField(max_length=32)
    grid_code = models.CharField(_("grid code"), max_length=15)
    building_id = models.BigIntegerField(null=True, blank=True)
    cast_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "unit"],
                                               name="one_vote_per_unit")]
        indexes = [models.Index(fields=["vote", "grid_code"], name="participation_grid")]

    def __str__(self) -> str:
        return f"{self.vote_id}: {self.unit}"


class Ballot(models.Model):
    """A choice, alone: a random key (no order to match with the participations), no time,
    no voter; the grid only, for the tally per grid after the vote closes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(Vote, models.CASCADE, related_name="ballots")
    choice = models.CharField(max_length=8, choices=Choice.choices)
    grid_code = models.CharField(max_length=15)

    class Meta:
        indexes = [models.Index(fields=["vote", "grid_code"], name="ballot_grid")]

    def __str__(self) -> str:
        return f"{self.vote_id}"


class BreachState(models.TextChoices):
    OPEN = "open", _("Waiting")
    DONE = "done", _("Dealt with")


class Breach(models.Model):
    """A breach of a convention in force reported by a resident or staff: a task for the
    community's staff until they record what was done."""

    convention = models.ForeignKey(Convention, models.CASCADE, related_name="breaches")
    text = models.TextField(_("what happened"))
    building = models.ForeignKey("places.Building", models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("building"))
    # Where it is followed: the building's grid, or the convention's community.
    grid_code = models.CharField(_("area code"), max_length=15)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                    related_name="+")
    created = models.DateTimeField(_("reported"))
    state = models.CharField(_("state"), max_length=6, choices=BreachState.choices,
                             default=BreachState.OPEN)
    action_taken = models.TextField(_("what was done"), blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    handled_at = models.DateTimeField(_("dealt with"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["grid_code", "state"], name="breach_open")]
        verbose_name = _("breach")
        verbose_name_plural = _("breaches")

    def __str__(self) -> str:
        return self.text[:50]


class Outcome(models.TextChoices):
    KEEP = "keep", _("Keep")
    AMEND = "amend", _("Amend")
    REPEAL = "repeal", _("Repeal")


class Review(models.Model):
    """A periodic review of a convention in force."""

    convention = models.ForeignKey(Convention, models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    outcome = models.CharField(pgettext_lazy("a convention's review", "outcome"), max_length=8,
                               choices=Outcome.choices)
    notes = models.TextField(_("notes"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                           related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-reviewed_on", "-id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.convention_id} {self.reviewed_on}"
