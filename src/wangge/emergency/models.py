"""Emergency readiness (应急预案与队伍): plans per hazard and area with their four severity
levels, versions that take effect when approved, teams and their members (accounts, with
skills, channels, a duty roster and a deputy), and a declared emergency with the tasks its
plan's checklist became and the calls to the teams' members (the roll-call).

A plan version's ``levels`` is data checked by ``services.levels_checked``: for each level
(``Severity``) the actions (title, owner, hours after activation), the teams to mobilize and
the resources required as rules over the affected population. Writes go through
``services.py``; reads through ``selectors.py``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wangge.foundation.codes import ScopedQuerySet


class Hazard(models.TextChoices):
    EPIDEMIC = "epidemic", _("Epidemic")
    FLOOD = "flood", _("Flood")
    FIRE = "fire", _("Fire")
    EARTHQUAKE = "earthquake", _("Earthquake")
    TYPHOON = "typhoon", _("Typhoon")
    GEOLOGICAL = "geological", _("Landslide or other geological hazard")
    HAZMAT = "hazmat", _("Hazardous materials accident")


class Severity(models.TextChoices):
    """The four levels of the Emergency Response Law, I the gravest."""

    LEVEL_I = "I", _("Level I (particularly serious, red)")
    LEVEL_II = "II", _("Level II (serious, orange)")
    LEVEL_III = "III", _("Level III (relatively serious, yellow)")
    LEVEL_IV = "IV", _("Level IV (ordinary, blue)")


# The warning colour of each level (预警颜色), as the law pairs them.
COLOURS = {Severity.LEVEL_I: "red", Severity.LEVEL_II: "orange",
           Severity.LEVEL_III: "yellow", Severity.LEVEL_IV: "blue"}

# What a resource rule may ask for: the resources database's material categories by code
# (kept as data: no key into that app) and shelter places.
RESOURCE_CATEGORIES = ("food", "water", "medical", "protection", "shelter", "rescue",
                       "power", "sanitation", "other", "shelter_places")


class TeamKind(models.TextChoices):
    COMMAND = "command", _("Command")
    RESCUE = "rescue", _("Professional rescue")
    MEDICAL = "medical", _("Medical")
    VOLUNTEER = "volunteer", _("Volunteer")


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=TeamKind.choices)
    # The division or grid the team serves: scopes it.
    grid_code = models.CharField(_("division or grid code"), max_length=15, db_index=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["grid_code", "name", "id"]
        verbose_name = _("emergency team")
        verbose_name_plural = _("emergency teams")

    def __str__(self) -> str:
        return self.name


class TeamMemberQuerySet(ScopedQuerySet):
    def current(self) -> "TeamMemberQuerySet":
        """Members still on their team: those called, drilled and counted as reachable."""
        return self.filter(left_at__isnull=True)

    def former(self) -> "TeamMemberQuerySet":
        return self.filter(left_at__isnull=False)


class TeamMember(models.Model):
    """An account on a team: called through the notification channels it chose. A member
    who leaves keeps the record (their calls refer to it), marked by ``left_at``."""

    team = models.ForeignKey(Team, models.PROTECT, related_name="members",
                             verbose_name=_("team"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT,
                             related_name="emergency_memberships", verbose_name=_("account"))
    skills = models.JSONField(_("skills"), default=list, blank=True)
    # The duty roster: weekdays on duty (0 Monday … 6 Sunday); empty means every day.
    duty_days = models.JSONField(_("days on duty"), default=list, blank=True)
    # Called in the member's place when the member answers unavailable or not in time.
    deputy = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                               blank=True, related_name="emergency_deputy_for",
                               verbose_name=_("deputy"))
    # Set when the member was taken off the team (never called again); cleared when put back.
    left_at = models.DateTimeField(_("left the team at"), null=True, blank=True)
    left_reason = models.CharField(_("why they left"), max_length=500, blank=True)
    grid_code = models.CharField(_("division or grid code"), max_length=15, db_index=True)
    history = HistoricalRecords()

    objects = TeamMemberQuerySet.as_manager()

    class Meta:
        ordering = ["team_id", "id"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [models.UniqueConstraint(fields=["team", "user"],
                                               name="one_membership_per_team")]

    def __str__(self) -> str:
        return f"{self.team_id}: {self.user_id}"


class Plan(models.Model):
    """A community's, street's or district's plan for one hazard."""

    name = models.CharField(_("name"), max_length=100)
    hazard = models.CharField(_("hazard"), max_length=12, choices=Hazard.choices)
    grid_code = models.CharField(_("division code"), max_length=15, db_index=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["grid_code", "hazard"]
        verbose_name = _("emergency plan")
        verbose_name_plural = _("emergency plans")
        constraints = [models.UniqueConstraint(fields=["grid_code", "hazard"],
                                               name="one_plan_per_area_and_hazard")]

    def __str__(self) -> str:
        return self.name


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_FORCE = "in_force", _("In force")
    SUPERSEDED = "superseded", _("Superseded")


class PlanVersion(models.Model):
    plan = models.ForeignKey(Plan, models.PROTECT, related_name="versions",
                             verbose_name=_("plan"))
    number = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=10, choices=VersionState.choices,
                             default=VersionState.DRAFT)
    # {"III": {"actions": [{"title", "owner", "hours"}], "teams": [id],
    #          "resources": [{"category", "per_person", "unit", "per_day", "days"}]}}
    levels = models.JSONField(_("levels"), default=dict)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                               related_name="+", verbose_name=_("author"))
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                 blank=True, related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("in force since"), null=True, blank=True)
    grid_code = models.CharField(_("division code"), max_length=15, db_index=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["plan_id", "-number"]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        constraints = [models.UniqueConstraint(fields=["plan", "number"],
                                               name="one_plan_version_number")]

    def __str__(self) -> str:
        return f"{self.plan_id} v{self.number}"


class Emergency(models.Model):
    """A declared emergency: its plan's version in force at the declaration, the level (raised
    or lowered since), the affected grids and what the plan's rules require for them."""

    plan = models.ForeignKey(Plan, models.PROTECT, related_name="emergencies",
                             verbose_name=_("plan"))
    version = models.ForeignKey(PlanVersion, models.PROTECT, related_name="emergencies",
                                verbose_name=_("plan version"))
    level = models.CharField(_("level"), max_length=3, choices=Severity.choices)
    grids = models.JSONField(_("affected grids"), default=list)
    affected_population = models.PositiveIntegerField(_("affected residents"), default=0)
    # [{"category", "quantity", "unit"}], computed from the level's rules at each change.
    requirements = models.JSONField(_("resources required"), default=list)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                    related_name="+", verbose_name=_("declared by"))
    declared_at = models.DateTimeField(_("declared at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    grid_code = models.CharField(_("division code"), max_length=15, db_index=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-declared_at", "-id"]
        verbose_name = _("emergency")
        verbose_name_plural = _("emergencies")

    def __str__(self) -> str:
        return f"{self.plan} {self.level}"

    @property
    def colour(self) -> str:
        return COLOURS[Severity(self.level)]


class StepKind(models.TextChoices):
    DECLARED = "declared", _("Declared")
    RAISED = "raised", _("Level raised")
    LOWERED = "lowered", _("Level lowered")
    ENDED = "ended", _("Ended")
    TASK_DONE = "task_done", _("Task done")


class EmergencyStep(models.Model):
    """The response's record: who did what, at which level, and why."""

    emergency = models.ForeignKey(Emergency, models.PROTECT, related_name="steps")
    kind = models.CharField(_("step"), max_length=10, choices=StepKind.choices)
    level = models.CharField(_("level"), max_length=3, choices=Severity.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                              related_name="+")
    actor_name = models.CharField(_("by"), max_length=150)
    reason = models.CharField(_("reason"), max_length=500)
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("emergency step")
        verbose_name_plural = _("emergency steps")

    def __str__(self) -> str:
        return f"{self.emergency_id}: {self.kind}"


class TaskState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CLOSED = "closed", _("Closed undone")


class EmergencyTask(models.Model):
    """One action of the plan's checklist for the emergency's level, owned by an account; or
    an improvement task a drill's gap became (``drill`` set, no emergency)."""

    emergency = models.ForeignKey(Emergency, models.PROTECT, null=True, blank=True,
                                  related_name="tasks", verbose_name=_("emergency"))
    drill = models.ForeignKey("Drill", models.PROTECT, null=True, blank=True,
                              related_name="tasks", verbose_name=_("drill"))
    level = models.CharField(_("level"), max_length=3, choices=Severity.choices)
    title = models.CharField(_("task"), max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT,
                              related_name="emergency_tasks", verbose_name=_("owner"))
    due_at = models.DateTimeField(_("deadline"))
    state = models.CharField(_("state"), max_length=6, choices=TaskState.choices,
                             default=TaskState.OPEN)
    closed_at = models.DateTimeField(_("done or closed at"), null=True, blank=True)
    grid_code = models.CharField(_("division code"), max_length=15, db_index=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("emergency task")
        verbose_name_plural = _("emergency tasks")
        constraints = [models.CheckConstraint(
            condition=Q(emergency__isnull=True) ^ Q(drill__isnull=True),
            name="task_of_an_emergency_or_a_drill")]

    def __str__(self) -> str:
        return self.title


class Answer(models.TextChoices):
    WAITING = "waiting", _("No answer yet")
    AVAILABLE = "available", _("Available")
    UNAVAILABLE = "unavailable", _("Unavailable")


class Callout(models.Model):
    """A call to one account for an emergency (a member, or a deputy in a member's place)."""

    emergency = models.ForeignKey(Emergency, models.PROTECT, related_name="callouts",
                                  verbose_name=_("emergency"))
    member = models.ForeignKey(TeamMember, models.PROTECT, related_name="callouts",
                               verbose_name=_("team member"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="callouts",
                             verbose_name=_("called"))
    # Set on a deputy's call: the call it stands in for.
    deputy_for = models.ForeignKey("self", models.PROTECT, null=True, blank=True,
                                   related_name="deputies", verbose_name=_("deputy for"))
    called_at = models.DateTimeField(_("called at"))
    answer = models.CharField(_("answer"), max_length=11, choices=Answer.choices,
                              default=Answer.WAITING)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # When the deputy was called in this member's place (once).
    deputy_called_at = models.DateTimeField(_("deputy called at"), null=True, blank=True)
    # When the call stopped counting: the level no longer needs the team, or the end.
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    grid_code = models.CharField(_("division code"), max_length=15, db_index=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["called_at", "id"]
        verbose_name = _("call to a team member")
        verbose_name_plural = _("calls to team members")
        indexes = [models.Index(fields=["answer", "deputy_called_at", "released_at"],
                                name="callout_waiting")]

    def __str__(self) -> str:
        return f"{self.emergency_id}: {self.user_id} {self.answer}"


class DrillState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    RUN = "run", _("Run")


class Drill(models.Model):
    """A tabletop exercise (演练) of a plan's level for some grids, run against the live
    data: the result holds each check's figures (required and available), the score and the
    gaps, which became improvement tasks (``tasks``). Never a real emergency: its messages
    go to its participants only, marked as an exercise."""

    plan = models.ForeignKey(Plan, models.PROTECT, related_name="drills",
                             verbose_name=_("plan"))
    version = models.ForeignKey(PlanVersion, models.PROTECT, related_name="drills",
                                verbose_name=_("plan version"))
    level = models.CharField(_("level"), max_length=3, choices=Severity.choices)
    grids = models.JSONField(_("affected grids"), default=list)
    scheduled_at = models.DateTimeField(_("scheduled for"))
    participants = models.ManyToManyField(TeamMember, related_name="drills",
                                          verbose_name=_("participants"))
    state = models.CharField(_("state"), max_length=10, choices=DrillState.choices,
                             default=DrillState.SCHEDULED)
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                     related_name="+", verbose_name=_("scheduled by"))
    ran_at = models.DateTimeField(_("run at"), null=True, blank=True)
    ran_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                               blank=True, related_name="+", verbose_name=_("run by"))
    # {"population", "needing_help", "checks": [{"key", "category", "team", "required",
    #  "available", "unit"}], "gaps": [{"key", "required", "available", "unit", "owner"}]}
    result = models.JSONField(_("result"), default=dict, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    grid_code = models.CharField(_("division code"), max_length=15, db_index=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-scheduled_at", "-id"]
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        constraints = [models.CheckConstraint(condition=Q(score__lte=100),
                                              name="drill_score_at_most_100")]

    def __str__(self) -> str:
        return f"{self.plan} {self.level} {self.scheduled_at:%Y-%m-%d}"
