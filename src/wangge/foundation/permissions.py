"""The one permissions module: what each role may do and which fields it sees unmasked.

Pages, the API and the admin all ask here. Scope (which records) is separate: a user sees
only records whose code starts with one of their jurisdictions' prefixes (see selectors).
"""

import datetime
from enum import StrEnum
from typing import Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from wangge.foundation.actors import Actor, actor_checked
from wangge.foundation.codes import is_within


class Role(models.TextChoices):
    GRID_WORKER = "grid_worker", _("Grid worker")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    STREET_OFFICER = "street_officer", _("Street officer")
    DISTRICT_ADMIN = "district_admin", _("District administrator")
    DEPARTMENT_STAFF = "department_staff", _("Department staff")
    VOLUNTEER = "volunteer", _("Volunteer")
    RESIDENT = "resident", _("Resident")
    # The three administrators MLPS level 3 asks to keep apart (三员分立): configuration,
    # accounts, and the logs. The auditor (an existing role) is the audit administrator: it
    # already read history without editing anything; reading every log is that job.
    AUDITOR = "auditor", _("Audit administrator")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")


class Action(StrEnum):
    VIEW_PEOPLE = "view_people"
    EDIT_PEOPLE = "edit_people"
    VIEW_PLACES = "view_places"
    EDIT_PLACES = "edit_places"
    EDIT_DIVISIONS = "edit_divisions"
    VIEW_ORGANIZATIONS = "view_organizations"
    EDIT_ORGANIZATIONS = "edit_organizations"
    VIEW_HISTORY = "view_history"
    USE_ADMIN = "use_admin"
    # Upload a department's file to import; each kind also needs its own write action.
    IMPORT_FILES = "import_files"
    # Place what an address does not name alone: pick the building for a row waiting in the
    # address queue (the choice is kept as the building's alias), add aliases.
    PLACE_ADDRESSES = "place_addresses"
    # Report templates: export a report, see completeness and the gap task list.
    USE_REPORTS = "use_reports"
    EDIT_REPORT_TEMPLATES = "edit_report_templates"
    DEFINE_POPULATIONS = "define_populations"  # a department's own population and fields
    # The event loop (events/workflow.py says which transition needs which).
    VIEW_EVENTS = "view_events"
    REPORT_EVENTS = "report_events"
    TRIAGE_EVENTS = "triage_events"  # accept or decline, dispatch, assign, merge, close
    HANDLE_EVENTS = "handle_events"  # start and feed back, on events dispatched to them
    VERIFY_EVENTS = "verify_events"  # check the result on the spot
    COMMENT_EVENTS = "comment_events"
    # Record linkage: see the pairs that may be one person, accept (merge) or reject them,
    # and undo a merge.
    REVIEW_MATCHES = "review_matches"
    CONFIGURE_EVENTS = "configure_events"  # the category tree, who answers for an organization
    # Patrols (巡查): walk a grid, check off buildings, record findings as events; and see
    # the coverage report and patrol history of a jurisdiction.
    PATROL = "patrol"
    VIEW_PATROLS = "view_patrols"
    # The cockpit (驾驶舱): the figures of a jurisdiction's events, patrols and registry, for
    # those who oversee a community, a street or a district.
    VIEW_COCKPIT = "view_cockpit"
    # Accounts (the security administrator): users, roles, jurisdictions, two-factor devices,
    # sign-in lockouts. Never the people's data itself.
    MANAGE_ACCOUNTS = "manage_accounts"
    # The working accounts of one's own jurisdiction (district and street administrators, on
    # the account pages): create, assign grids, start a password reset, deactivate; only the
    # roles ``ACCOUNT_GRANTS`` lists, never an administrator's account nor one's own.
    MANAGE_STAFF_ACCOUNTS = "manage_staff_accounts"
    # The logs (the audit administrator): record history, sign-ins and lockouts, the back
    # office's own log. Read only: no role can change or erase a log.
    READ_LOGS = "read_logs"
    # Daily health monitoring (健康监测): enter check-ins for those who cannot (a household,
    # an institution's list), and see who has checked in and who has not.
    RECORD_CHECK_INS = "record_check_ins"
    VIEW_CHECK_INS = "view_check_ins"
    # Graded risk (分级分类): see the grades of buildings, grids and communities (a person's
    # only with HEALTH_STATUS unmasked), and write, preview and put in force the rules.
    VIEW_RISK = "view_risk"
    EDIT_RISK_RULES = "edit_risk_rules"
    # Cases and exposures (病例与密接): see cases, their contacts, venues and visits, and the
    # chain of transmission; record cases, tests, venues, visits and contacts, and trace.
    VIEW_CASES = "view_cases"
    RECORD_CASES = "record_cases"
    # Lawful measures (依法防控): home health monitoring, isolation, a building's access
    # control. Propose one (the deciding authority's staff), approve or refuse one a level
    # below, see those of one's jurisdiction, and grant an organization the power to decide
    # them (the back office).
    PROPOSE_MEASURES = "propose_measures"
    APPROVE_MEASURES = "approve_measures"
    VIEW_MEASURES = "view_measures"
    GRANT_MEASURE_POWERS = "grant_measure_powers"
    # Emergency readiness (应急): see plans, teams and emergencies of one's jurisdiction;
    # write plans and teams; approve a plan's version (never one's own); declare an
    # emergency, change its level and end it.
    VIEW_EMERGENCIES = "view_emergencies"
    EDIT_EMERGENCY_PLANS = "edit_emergency_plans"
    APPROVE_EMERGENCY_PLANS = "approve_emergency_plans"
    DECLARE_EMERGENCIES = "declare_emergencies"
    # Public alerts (CAP 1.2): publish, update and cancel a warning for grids of one's
    # jurisdiction, and see every alert there (exercises and tests included).
    PUBLISH_ALERTS = "publish_alerts"
    # The emergency resource database (应急资源库): depots and their materials, shelters,
    # utilities, providers, people and vehicles on call; see them, and keep them.
    VIEW_RESOURCES = "view_resources"
    EDIT_RESOURCES = "edit_resources"
    # Allocation of scarce supplies: request supplies for a grid of one's jurisdiction, and
    # confirm delivery there (running and confirming allocations is EDIT_RESOURCES).
    REQUEST_SUPPLIES = "request_supplies"
    # Notices (信息发布): publish a notice to an audience of one's jurisdiction, see the notices
    # that reach it with their read receipts, mark a resident told in person, withdraw one.
    PUBLISH_NOTICES = "publish_notices"
    # Needs and offers (供需对接): see the board of one's jurisdiction and post a grid's needs
    # (and confirm a delivery to one's grid); record offers and donations, and match an offer
    # to a need with a person responsible for the delivery.
    POST_NEEDS = "post_needs"
    MATCH_NEEDS = "match_needs"
    # An institution or business (a department staff account answering for an organization)
    # offers help in its own name and follows what became of it.
    OFFER_HELP = "offer_help"
    # A resident's own record, household and notices, once their account is linked to their
    # person (wangge.residents): nobody else's, and only their own.
    VIEW_OWN_RECORD = "view_own_record"
    # Volunteers and party members reporting in (志愿者, 双报到): confirm or decline the
    # report-ins of one's communities (and see those naming a party organization of one's
    # jurisdiction), post tasks and call volunteers, confirm hours, set the points rules.
    MANAGE_VOLUNTEERS = "manage_volunteers"
    # Community conventions and proposals (居民公约, 协商议事): see those of one's jurisdiction
    # with their discussion, turnout and tallies, comment, report a breach and record what was
    # done about it; and (MANAGE) draft them, amend their text, open discussion and the vote,
    # close it, hide an abusive comment, record reviews, repeal.
    VIEW_CONVENTIONS = "view_conventions"
    MANAGE_CONVENTIONS = "manage_conventions"


class SensitiveField(StrEnum):
    """Fields of a person masked unless the role needs them (PIPL: minimum necessary)."""

    ID_NUMBER = "id_number"
    PHONE = "phone"
    HEALTH_STATUS = "health_status"
    VULNERABLE_TAGS = "vulnerable_tags"
    # Digits 7–14 of a resident ID: a role that sees the ID masked sees only the birth year,
    # or the masked ID (4201**********123X) and the birth date together would give it away.
    BIRTH_DATE = "birth_date"


# Shown in full only once a purpose is given, and that reveal is logged (auditlog): the full
# ID number, and the birth date that repeats its digits 7–14. Until then even a role that may
# see them unmasked sees them as a masked role does.
PURPOSE_FIELDS = frozenset({SensitiveField.ID_NUMBER, SensitiveField.BIRTH_DATE})

_EVERY_VIEW = {Action.VIEW_PEOPLE, Action.VIEW_PLACES, Action.VIEW_ORGANIZATIONS}
# The event loop: those who answer for grids report, triage and verify there; departments
# handle what is dispatched to them; residents and volunteers report through the public page.
_EVENT_WORK = {Action.VIEW_EVENTS, Action.REPORT_EVENTS, Action.COMMENT_EVENTS}
_FRONT_LINE_EVENTS = _EVENT_WORK | {Action.TRIAGE_EVENTS, Action.HANDLE_EVENTS,
                                    Action.VERIFY_EVENTS}
_CHECK_INS = {Action.RECORD_CHECK_INS, Action.VIEW_CHECK_INS}
_CASES = {Action.VIEW_CASES, Action.RECORD_CASES}
# Lawful measures: community staff, streets, districts and the health authority's staff
# propose; streets and districts approve those decided a level below them.
_PROPOSE_MEASURES = {Action.VIEW_MEASURES, Action.PROPOSE_MEASURES}
_APPROVE_MEASURES = _PROPOSE_MEASURES | {Action.APPROVE_MEASURES}
# Emergencies: community staff and up own their jurisdiction's plans and command; the front
# line and departments see them (their tasks and calls reach them anyway).
_COMMAND_EMERGENCIES = {Action.VIEW_EMERGENCIES, Action.EDIT_EMERGENCY_PLANS,
                        Action.APPROVE_EMERGENCY_PLANS, Action.DECLARE_EMERGENCIES}
_RESOURCES = {Action.VIEW_RESOURCES, Action.EDIT_RESOURCES, Action.REQUEST_SUPPLIES}
# Needs and offers: grid workers post their grids' needs; community staff and up also record
# offers and donations and match them.
_NEEDS = {Action.POST_NEEDS, Action.MATCH_NEEDS}
# Conventions: community staff and those above them draft and run them; grid workers see them
# and follow the breaches reported in their grids.
_CONVENTIONS = {Action.VIEW_CONVENTIONS, Action.MANAGE_CONVENTIONS}
ROLE_ACTIONS: dict[str, set[Action]] = {
    # Collects and corrects base data in their grids, walks them, handles events there.
    # Not REVIEW_MATCHES: a wrong merge hurts a person, so fewer hands decide it.
    Role.GRID_WORKER: _EVERY_VIEW | _FRONT_LINE_EVENTS | {
        Action.EDIT_PEOPLE, Action.EDIT_PLACES, Action.VIEW_HISTORY, Action.USE_REPORTS,
        Action.PATROL, Action.VIEW_PATROLS, *_CHECK_INS, Action.VIEW_RISK, *_CASES,
        Action.VIEW_MEASURES, Action.VIEW_EMERGENCIES, Action.VIEW_RESOURCES,
        Action.REQUEST_SUPPLIES, Action.PUBLISH_NOTICES, Action.POST_NEEDS,
        Action.VIEW_CONVENTIONS,
    },
    Role.COMMUNITY_STAFF: _EVERY_VIEW | _FRONT_LINE_EVENTS | {
        Action.EDIT_PEOPLE, Action.EDIT_PLACES, Action.EDIT_ORGANIZATIONS, Action.VIEW_HISTORY,
        Action.USE_ADMIN, Action.IMPORT_FILES, Action.USE_REPORTS, Action.REVIEW_MATCHES,
        Action.PATROL, Action.VIEW_PATROLS, Action.PLACE_ADDRESSES, Action.VIEW_COCKPIT,
        *_CHECK_INS, Action.VIEW_RISK, *_CASES, *_PROPOSE_MEASURES,
        *_COMMAND_EMERGENCIES, Action.PUBLISH_ALERTS, *_RESOURCES, Action.PUBLISH_NOTICES,
        Action.MANAGE_VOLUNTEERS,
        *_NEEDS,
        *_CONVENTIONS,
    },
    # Oversight: reads everything in the street, edits organizations it coordinates.
    Role.STREET_OFFICER: _EVERY_VIEW | _EVENT_WORK | {
        Action.EDIT_ORGANIZATIONS, Action.VIEW_HISTORY, Action.USE_ADMIN, Action.IMPORT_FILES,
        Action.USE_REPORTS, Action.REVIEW_MATCHES, Action.TRIAGE_EVENTS, Action.VIEW_PATROLS,
        Action.MANAGE_STAFF_ACCOUNTS, Action.VIEW_COCKPIT, Action.VIEW_CHECK_INS,
        Action.VIEW_RISK, Action.VIEW_CASES, *_APPROVE_MEASURES,
        *_COMMAND_EMERGENCIES, Action.PUBLISH_ALERTS, *_RESOURCES, Action.PUBLISH_NOTICES,
        Action.MANAGE_VOLUNTEERS,
        *_NEEDS,
        *_CONVENTIONS,
    },
    Role.DISTRICT_ADMIN: _EVERY_VIEW | _EVENT_WORK | {
        Action.EDIT_PEOPLE, Action.EDIT_PLACES, Action.EDIT_DIVISIONS,
        Action.EDIT_ORGANIZATIONS, Action.VIEW_HISTORY, Action.USE_ADMIN,
        Action.IMPORT_FILES, Action.USE_REPORTS, Action.EDIT_REPORT_TEMPLATES,
        Action.DEFINE_POPULATIONS, Action.REVIEW_MATCHES, Action.TRIAGE_EVENTS,
        Action.CONFIGURE_EVENTS,
        Action.VIEW_PATROLS, Action.PLACE_ADDRESSES, Action.MANAGE_STAFF_ACCOUNTS,
        Action.VIEW_COCKPIT, *_CHECK_INS, Action.VIEW_RISK, *_CASES, Action.EDIT_RISK_RULES,
        *_APPROVE_MEASURES, Action.GRANT_MEASURE_POWERS,
        *_COMMAND_EMERGENCIES, Action.PUBLISH_ALERTS, *_RESOURCES, Action.PUBLISH_NOTICES,
        Action.MANAGE_VOLUNTEERS,
        *_NEEDS,
        *_CONVENTIONS,
    },
    # Receive reports and handle the events dispatched to them; a department's file is
    # imported by those who answer for the records. An institution's account (a school, an
    # employer) is department staff of its area: it submits its lists of check-ins.
    Role.DEPARTMENT_STAFF: _EVERY_VIEW | _CHECK_INS | _CASES | _PROPOSE_MEASURES | {
        Action.USE_REPORTS, Action.VIEW_EVENTS, Action.COMMENT_EVENTS, Action.HANDLE_EVENTS,
        Action.VIEW_RISK, Action.VIEW_EMERGENCIES,
        Action.VIEW_RESOURCES, Action.OFFER_HELP},
    Role.VOLUNTEER: set(_EVERY_VIEW),
    # Residents use the public channels; they see places and organizations, not other people,
    # and (signed in as their person: wangge.residents) their own record and notices.
    Role.RESIDENT: {Action.VIEW_PLACES, Action.VIEW_ORGANIZATIONS, Action.VIEW_OWN_RECORD},
    # The audit administrator reads every log; it sees records (masked) to put entries in
    # context, and changes nothing. READ_LOGS opens the back office's logs to it, not
    # USE_ADMIN: the back office's lists of records are not masked.
    Role.AUDITOR: _EVERY_VIEW | {Action.VIEW_HISTORY, Action.VIEW_EVENTS, Action.VIEW_PATROLS,
                                 Action.READ_LOGS, Action.VIEW_CHECK_INS,
                                 Action.VIEW_CASES, Action.VIEW_RISK, Action.VIEW_MEASURES,
                                 Action.VIEW_EMERGENCIES, Action.VIEW_RESOURCES},
    # Configuration only: divisions and grids (places, to see where they lie), the category
    # tree and Open311 keys, report templates. It sees no person and manages no account.
    Role.SYSTEM_ADMIN: {Action.USE_ADMIN, Action.VIEW_PLACES, Action.EDIT_DIVISIONS,
                        Action.CONFIGURE_EVENTS, Action.EDIT_REPORT_TEMPLATES,
                        Action.DEFINE_POPULATIONS},
    # Accounts only: it sees no person, no record and no log beyond the accounts themselves.
    Role.SECURITY_ADMIN: {Action.MANAGE_ACCOUNTS},
}

# The roles a staff administrator (``MANAGE_STAFF_ACCOUNTS``) may give, and whose accounts it
# manages: the working roles below its own. Never an administrator of any kind (district, or
# the three MLPS keeps apart), never its own role: those stay with the security administrator,
# who gives every role (``MANAGE_ACCOUNTS``).
ACCOUNT_GRANTS: dict[str, frozenset[str]] = {
    Role.DISTRICT_ADMIN: frozenset({Role.STREET_OFFICER, Role.COMMUNITY_STAFF, Role.GRID_WORKER,
                                    Role.DEPARTMENT_STAFF, Role.VOLUNTEER}),
    Role.STREET_OFFICER: frozenset({Role.COMMUNITY_STAFF, Role.GRID_WORKER,
                                    Role.DEPARTMENT_STAFF, Role.VOLUNTEER}),
}


def manages_accounts(user: "Asker") -> bool:
    """Whether ``user`` manages any accounts: every one in its jurisdiction (the security
    administrator) or the working ones (a district or street administrator)."""
    return can(user, Action.MANAGE_ACCOUNTS) or can(user, Action.MANAGE_STAFF_ACCOUNTS)


def grantable_roles(user: "Asker") -> frozenset[str]:
    """The roles ``user`` may give an account (and whose accounts it may manage)."""
    if can(user, Action.MANAGE_ACCOUNTS):
        return frozenset(Role.values)
    if can(user, Action.MANAGE_STAFF_ACCOUNTS):
        return ACCOUNT_GRANTS.get(getattr(user, "role", ""), frozenset())
    return frozenset()


UNMASKED_FIELDS: dict[str, set[SensitiveField]] = {
    Role.GRID_WORKER: set(SensitiveField),
    Role.COMMUNITY_STAFF: set(SensitiveField),
    Role.STREET_OFFICER: {SensitiveField.PHONE, SensitiveField.VULNERABLE_TAGS},
    Role.DISTRICT_ADMIN: set(SensitiveField),
    Role.DEPARTMENT_STAFF: {SensitiveField.PHONE},
    Role.VOLUNTEER: set(),
    Role.RESIDENT: set(),
    Role.AUDITOR: set(),
    Role.SYSTEM_ADMIN: set(),
    Role.SECURITY_ADMIN: set(),
}


class Asker(Protocol):
    """Whoever asks what they may do: a user (signed in or not), or the system acting for a
    command. A role, where there is one, is read as ``role``."""

    @property
    def is_authenticated(self) -> bool: ...
    @property
    def is_active(self) -> bool: ...
    @property
    def is_superuser(self) -> bool: ...


def can(user: Asker, action: Action) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return action in ROLE_ACTIONS.get(getattr(user, "role", ""), set())


# Besides seeing full ID numbers: exporting personal data (reports, and the rejects of an
# import, which hold a department's rows as sent) and administering the system.
_TWO_FACTOR_ACTIONS = {Action.USE_REPORTS, Action.IMPORT_FILES, Action.MANAGE_ACCOUNTS,
                       Action.MANAGE_STAFF_ACCOUNTS, Action.READ_LOGS,
                       Action.CONFIGURE_EVENTS, Action.EDIT_DIVISIONS}


def needs_two_factor(user: Asker) -> bool:
    """Whether ``user`` must sign in with a second factor (TOTP): every role that sees full ID
    numbers, exports, or administers. Bearer tokens of the API are not passwords: not here."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (sees_unmasked(user, SensitiveField.ID_NUMBER)
            or any(can(user, action) for action in _TWO_FACTOR_ACTIONS))


def uses_back_office(user: Asker) -> bool:
    """Whether ``user`` may open the admin site at all (``is_staff``)."""
    return any(can(user, action) for action in
               (Action.USE_ADMIN, Action.MANAGE_ACCOUNTS, Action.READ_LOGS))


def sees_unmasked(user: Asker, field: SensitiveField) -> bool:
    if user.is_superuser:
        return True
    return field in UNMASKED_FIELDS.get(getattr(user, "role", ""), set())


def mask_document_number(number: str) -> str:
    """Keep the first four and last four characters: 4201**********123X."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(number: str) -> str:
    """Keep the first three and last four digits: 138****5678."""
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_name(name: str) -> str:
    """A name as the masked roles see it: its first and last characters, the rest starred
    (张*三, 欧**锋); a name of two characters keeps its first (张*)."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def birth_year(value: object) -> str:
    """A birth date cut to its year ("1956"), from a date or an ISO string; an age in whole
    years can still be told from it, to within one."""
    return f"{value:%Y}" if isinstance(value, datetime.date) else str(value)[:4]


HIDDEN = "***"


def sees_now(user: Asker, field: SensitiveField, *, revealed: bool = True) -> bool:
    """Whether ``user`` sees ``field`` unmasked; with ``revealed=False`` (no purpose given
    yet) the ``PURPOSE_FIELDS`` stay masked for every role."""
    return sees_unmasked(user, field) and (revealed or field not in PURPOSE_FIELDS)


def shown(user: Asker, field: SensitiveField, value: object, *,
          revealed: bool = True) -> object:
    """``value`` as ``user`` may see it: itself, or masked. Pages and the API pass
    ``revealed=False`` until a purpose is given (see ``PURPOSE_FIELDS``)."""
    if not value or sees_now(user, field, revealed=revealed):
        return value
    if field == SensitiveField.ID_NUMBER:
        return mask_document_number(str(value))
    if field == SensitiveField.PHONE:
        return mask_phone(str(value))
    if field == SensitiveField.VULNERABLE_TAGS:
        return [HIDDEN]
    if field == SensitiveField.BIRTH_DATE:
        return birth_year(value)
    return HIDDEN


def require(user: Actor, action: Action, *or_actions: Action) -> None:
    """Refuse a user who may take neither ``action`` nor any of ``or_actions`` (a system
    actor may take any); a missing actor (None) is a TypeError, never a pass."""
    checked = actor_checked(user)
    if not any(can(checked, each) for each in (action, *or_actions)):
        raise PermissionDenied(_("Your role may not do this."))


def require_in_scope(user: Actor, code: str, field: str = "grid_code") -> None:
    """Refuse a write that would put a record outside the actor's jurisdiction."""
    if not is_within(code, actor_checked(user).scope_prefixes):
        raise ValidationError(
            {field: _("%(code)s is outside your jurisdiction.") % {"code": code}}
        )
