"""Every role × every page, in and out of the caller's jurisdiction, as the API's matrix does
for its endpoints (tests/api/test_access_matrix.py).

The pages are read from the URL resolver, so a new page fails ``test_every_page_is_classified``
until it joins the matrix (or says why it is not in it). Expected statuses come from
foundation.permissions; each user answers for street 1 (grids A and B), and grid C is out of scope:
a record there is 404, exactly like one that does not exist.
"""

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from PIL import Image

from tests.factories import STREET_1, STREET_2, SYSTEM, make_user
from tests.resources.matrix import RESOURCE_KINDS
from tests.scene import IN, OUT
from wangge.events.services import event_photos_add
from wangge.foundation.permissions import (
    ROLE_ACTIONS,
    UNMASKED_FIELDS,
    Action,
    Role,
    SensitiveField,
)
from wangge.imports.models import ImportJob, job_storage


def _anyone(role: str) -> bool:
    return True


@dataclass(frozen=True)
class Page:
    method: str
    route: str  # the URL pattern as the resolver spells it
    template: str  # the path; ``{name}`` is filled with the side's record (its pk) or code
    # Needed to open anything of this kind (else 403); a tuple: any one of them.
    view: Action | tuple[Action, ...] | None = None
    may: Callable[[str], bool] = _anyone  # once the record is found (else ``refused``)
    kind: str = "record"  # record: out of scope is 404; page: the same for everyone in scope
    success: int = 200
    refused: int = 403
    body: Callable[[dict[str, Any]], dict[str, Any]] = lambda records: {}

    def __str__(self) -> str:
        return f"{self.method} /{self.route}"

    def path(self, records: dict[str, Any]) -> str:
        return self.template.format(**{key: getattr(value, "pk", value)
                                       for key, value in records.items()})


def _nobody(role: str) -> bool:
    return False


def _acts(action: Action) -> Callable[[str], bool]:
    return lambda role: action in ROLE_ACTIONS[role]


def _sees(field: SensitiveField) -> Callable[[str], bool]:
    return lambda role: field in UNMASKED_FIELDS[role]


def _today() -> str:
    return timezone.localdate().isoformat()


def _sees_full_ids(role: str) -> bool:
    return SensitiveField.ID_NUMBER in UNMASKED_FIELDS[role]


PEOPLE, PLACES = Action.VIEW_PEOPLE, Action.VIEW_PLACES
EVENTS, PATROLS, MATCHES = Action.VIEW_EVENTS, Action.VIEW_PATROLS, Action.REVIEW_MATCHES
REASON = {"reason": "测试"}
RISK_RULES = '[{"subject": "person", "if": "case", "statuses": ["confirmed"], "within_days": 14, ' \
             '"grade": "high"}]'
CASES, RECORD_CASES = Action.VIEW_CASES, Action.RECORD_CASES
ACCOUNTS = (Action.MANAGE_ACCOUNTS, Action.MANAGE_STAFF_ACCOUNTS)
PAGES = [
    # Community, street and district start the day at the cockpit.
    Page("GET", "", "/", kind="page", may=lambda role: Action.VIEW_COCKPIT not in
         ROLE_ACTIONS[role], refused=302),
    Page("GET", "cockpit/", "/cockpit/", view=Action.VIEW_COCKPIT, kind="page"),
    Page("GET", "cockpit/<str:code>/", "/cockpit/{division}/", view=Action.VIEW_COCKPIT),
    Page("GET", "divisions/<str:code>/", "/divisions/{division}/"),
    Page("GET", "grids/<str:code>/", "/grids/{grid}/"),
    Page("GET", "buildings/unplaced/", "/buildings/unplaced/", view=PLACES, kind="page"),
    Page("GET", "buildings/<int:pk>/", "/buildings/{building}/", view=PLACES),
    Page("GET", "dwellings/<int:pk>/", "/dwellings/{dwelling}/", view=PLACES),
    Page("GET", "report/poster/<int:pk>/", "/report/poster/{building}/", view=PLACES),
    Page("GET", "households/<int:pk>/", "/households/{household}/", view=PEOPLE),
    Page("GET", "people/", "/people/?q=甲", view=PEOPLE, kind="page"),
    Page("GET", "people/<int:pk>/", "/people/{person}/", view=PEOPLE),
    Page("GET", "people/<int:pk>/edit/", "/people/{person}/edit/", view=PEOPLE,
         may=_acts(Action.EDIT_PEOPLE)),
    Page("GET", "people/<int:pk>/reveal/", "/people/{person}/reveal/", view=PEOPLE,
         may=_sees_full_ids),
    # Circumstances: roles that edit people (all of which see vulnerable groups).
    Page("GET", "people/<int:pk>/circumstances/<slug:key>/",
         "/people/{person}/circumstances/floating/", view=Action.EDIT_PEOPLE),
    Page("POST", "people/<int:pk>/circumstances/<slug:key>/end/",
         "/people/{person}/circumstances/floating/end/", view=Action.EDIT_PEOPLE, success=302,
         body=lambda records: REASON),
    Page("GET", "imports/", "/imports/", view=Action.IMPORT_FILES, kind="page"),
    # The address queue: a row waiting in or out of the jurisdiction, placed in its building.
    Page("GET", "imports/addresses/", "/imports/addresses/", view=Action.PLACE_ADDRESSES,
         kind="page"),
    Page("GET", "imports/addresses/<int:pk>/buildings/",
         "/imports/addresses/{queued}/buildings/?q=3", view=Action.PLACE_ADDRESSES),
    Page("POST", "imports/addresses/<int:pk>/", "/imports/addresses/{queued}/",
         view=Action.PLACE_ADDRESSES, success=302,
         body=lambda records: {"building": records["building"].pk}),
    Page("GET", "imports/templates/<slug:kind>/", "/imports/templates/persons/",
         view=Action.IMPORT_FILES, kind="page"),
    Page("GET", "reports/", "/reports/", view=Action.USE_REPORTS, kind="page"),
    Page("GET", "reports/forms/fill/", "/reports/forms/fill/", view=Action.USE_REPORTS,
         kind="page"),
    # A template is the same everywhere; its export and gaps are scoped (below).
    Page("GET", "reports/<slug:slug>/", "/reports/civil-affairs-elderly-alone/",
         view=Action.USE_REPORTS, kind="page"),
    Page("GET", "access-log/", "/access-log/", view=Action.READ_LOGS, kind="page"),
    Page("GET", "events/", "/events/", view=EVENTS, kind="page"),
    Page("GET", "events/new/", "/events/new/", view=Action.REPORT_EVENTS, kind="page"),
    Page("GET", "inbox/", "/inbox/", kind="page"),
    Page("GET", "inbox/preferences/", "/inbox/preferences/", kind="page"),
    Page("GET", "events/<int:pk>/", "/events/{event}/", view=EVENTS),
    # A form on the event's page: done or refused, the answer goes back to it with a message.
    Page("POST", "events/<int:pk>/transition/", "/events/{event}/transition/", view=EVENTS,
         success=302, body=lambda records: {"action": "accept"}),
    Page("POST", "events/<int:pk>/assign/", "/events/{event}/assign/", view=EVENTS,
         success=302),
    Page("POST", "events/<int:pk>/comment/", "/events/{event}/comment/", view=EVENTS,
         success=302, body=lambda records: {"text": "已到现场"}),
    Page("POST", "events/<int:pk>/merge/", "/events/{duplicate}/merge/", view=EVENTS,
         success=302, body=lambda records: {"into": records["event"].pk}),
    Page("POST", "events/<int:pk>/rate/", "/events/{event}/rate/", view=EVENTS,
         success=302, body=lambda records: {"satisfaction": "satisfied"}),
    # A patroller's own page; those who only oversee patrols are sent to the coverage.
    Page("GET", "patrols/", "/patrols/", view=PATROLS, kind="page", may=_acts(Action.PATROL),
         refused=302),
    Page("POST", "patrols/start/", "/patrols/start/", view=Action.PATROL, kind="page",
         success=302, body=lambda records: {"grid": records["grid"]}),
    Page("GET", "patrols/coverage/", "/patrols/coverage/", view=PATROLS, kind="page"),
    Page("GET", "patrols/coverage/<str:code>/", "/patrols/coverage/{grid}/", view=PATROLS),
    Page("GET", "patrols/history/", "/patrols/history/", view=PATROLS, kind="page"),
    Page("GET", "patrols/<int:pk>/", "/patrols/{patrol}/", view=PATROLS),
    Page("GET", "patrols/<int:pk>/buildings/", "/patrols/{patrol}/buildings/", view=PATROLS),
    # The scene's patrols are a grid worker's: anyone else who sees them may not change them
    # (a button sends them back with a message; the finding's form is not shown at all).
    Page("POST", "patrols/<int:pk>/end/", "/patrols/{patrol}/end/", view=PATROLS,
         may=_nobody, refused=302),
    Page("POST", "patrols/<int:pk>/visit/<int:building>/",
         "/patrols/{patrol}/visit/{patrol_building}/", view=PATROLS, may=_nobody,
         refused=302),
    Page("GET", "patrols/<int:pk>/finding/", "/patrols/{patrol}/finding/", view=PATROLS,
         may=_nobody),
    Page("GET", "linkage/", "/linkage/", view=MATCHES, kind="page"),
    Page("GET", "linkage/<int:pk>/", "/linkage/{candidate}/", view=MATCHES),
    Page("POST", "linkage/<int:pk>/accept/", "/linkage/{candidate}/accept/", view=MATCHES,
         success=302, body=lambda records: {"keep": records["candidate"].left_id, **REASON}),
    Page("POST", "linkage/<int:pk>/reject/", "/linkage/{candidate}/reject/", view=MATCHES,
         success=302, body=lambda records: REASON),
    Page("GET", "linkage/merges/", "/linkage/merges/", view=MATCHES, kind="page"),
    Page("POST", "linkage/merges/<int:pk>/unmerge/", "/linkage/merges/{merge}/unmerge/",
         view=MATCHES, success=302, body=lambda records: REASON),
    # The account pages: a district or street administrator's working accounts, the security
    # administrator's every account; a grid worker's account in grid A or C. A reset shows
    # its one-time link (200); a deactivation goes back to the account (302).
    Page("GET", "accounts/", "/accounts/?q=grid", view=ACCOUNTS, kind="page"),
    Page("GET", "accounts/new/", "/accounts/new/", view=ACCOUNTS, kind="page"),
    Page("GET", "accounts/<int:pk>/", "/accounts/{account}/", view=ACCOUNTS),
    Page("POST", "accounts/<int:pk>/password/", "/accounts/{account}/password/", view=ACCOUNTS,
         body=lambda records: REASON),
    Page("POST", "accounts/<int:pk>/active/", "/accounts/{account}/active/", view=ACCOUNTS,
         success=302, body=lambda records: {"active": "0", **REASON}),
    # Daily health monitoring: the day of each grid, one grid's day, a household's entry.
    Page("GET", "health/", "/health/", view=Action.VIEW_CHECK_INS, kind="page"),
    Page("GET", "health/grids/<str:code>/", "/health/grids/{grid}/",
         view=Action.VIEW_CHECK_INS),
    Page("GET", "health/persons/<int:pk>/check-in/", "/health/persons/{person}/check-in/",
         view=Action.RECORD_CHECK_INS),
    Page("POST", "health/persons/<int:pk>/check-in/", "/health/persons/{person}/check-in/",
         view=Action.RECORD_CHECK_INS, success=302,
         body=lambda records: {f"temperature-{records['person'].pk}": "36.5"}),
    # Risk grades: the rules (a version written as a draft); the rest in tests/risk.
    Page("GET", "risk/rules/", "/risk/rules/", view=Action.VIEW_RISK, kind="page"),
    Page("POST", "risk/rules/", "/risk/rules/", view=Action.EDIT_RISK_RULES, kind="page",
         success=302, body=lambda records: {"rules": RISK_RULES}),
    # The risk map: of the caller's own jurisdiction, or of a division or grid in it.
    Page("GET", "risk/", "/risk/", view=Action.VIEW_RISK, kind="page"),
    Page("GET", r"risk/^(?P<code>\d{12}|\d{15})/$", "/risk/{division}/",
         view=Action.VIEW_RISK),
    # Cases and exposures: a case's status is changed only by a role that sees it.
    Page("GET", "epidemic/", "/epidemic/?status=suspected", view=CASES, kind="page"),
    Page("GET", "epidemic/cases/<int:pk>/", "/epidemic/cases/{case}/", view=CASES),
    Page("POST", "epidemic/cases/<int:pk>/status/", "/epidemic/cases/{case}/status/",
         view=RECORD_CASES, may=_sees(SensitiveField.HEALTH_STATUS), success=302,
         body=lambda records: {"status": "suspected", **REASON}),
    Page("POST", "epidemic/cases/<int:pk>/tests/", "/epidemic/cases/{case}/tests/",
         view=RECORD_CASES, success=302,
         body=lambda records: {"kind": "pcr", "taken_on": _today(), "positive": "1"}),
    Page("POST", "epidemic/cases/<int:pk>/trace/", "/epidemic/cases/{case}/trace/",
         view=RECORD_CASES, success=302),
    Page("GET", "epidemic/cases/<int:pk>/contacts/", "/epidemic/cases/{case}/contacts/?q=甲",
         view=RECORD_CASES),
    Page("POST", "epidemic/cases/<int:pk>/contacts/", "/epidemic/cases/{case}/contacts/",
         view=RECORD_CASES, success=302,
         body=lambda records: {"person": records["person"].pk, "last_contact_on": _today()}),
    Page("GET", "epidemic/persons/<int:pk>/case/", "/epidemic/persons/{person}/case/",
         view=RECORD_CASES),
    Page("POST", "epidemic/persons/<int:pk>/case/", "/epidemic/persons/{person}/case/",
         view=RECORD_CASES, success=302,
         body=lambda records: {"status": "suspected", "source": "self", "reported_on": _today()}),
    Page("GET", "epidemic/venues/", "/epidemic/venues/", view=CASES, kind="page"),
    Page("GET", "epidemic/venues/<int:pk>/", "/epidemic/venues/{venue}/", view=CASES),
    # Lawful measures: the list and appeals queue, a measure (waiting for approval, with an
    # appeal), a draft, the proposal form for a person; each step goes back to the measure.
    Page("GET", "measures/", "/measures/", view=Action.VIEW_MEASURES, kind="page"),
    Page("GET", "measures/new/", "/measures/new/?person={person}",
         view=Action.PROPOSE_MEASURES),
    Page("GET", "measures/<int:pk>/", "/measures/{measure}/", view=Action.VIEW_MEASURES),
    Page("GET", "measures/<int:pk>/edit/", "/measures/{measure_draft}/edit/",
         view=Action.PROPOSE_MEASURES),
    Page("POST", "measures/<int:pk>/submit/", "/measures/{measure_draft}/submit/",
         view=Action.PROPOSE_MEASURES, success=302),
    Page("POST", "measures/<int:pk>/approve/", "/measures/{measure}/approve/",
         view=Action.APPROVE_MEASURES, success=302, body=lambda records: REASON),
    Page("POST", "measures/<int:pk>/refuse/", "/measures/{measure}/refuse/",
         view=Action.APPROVE_MEASURES, success=302, body=lambda records: REASON),
    Page("POST", "measures/<int:pk>/extend/", "/measures/{measure}/extend/",
         view=Action.PROPOSE_MEASURES, success=302,
         body=lambda records: {"ends_on": "2099-01-01", **REASON}),
    Page("POST", "measures/<int:pk>/lift/", "/measures/{measure}/lift/",
         view=Action.PROPOSE_MEASURES, success=302, body=lambda records: REASON),
    Page("GET", "measures/appeals/", "/measures/appeals/", view=Action.VIEW_MEASURES,
         kind="page"),
    Page("GET", "measures/appeals/<int:pk>/", "/measures/appeals/{measure_appeal}/",
         view=Action.VIEW_MEASURES),
    Page("POST", "measures/appeals/<int:pk>/", "/measures/appeals/{measure_appeal}/",
         view=Action.VIEW_MEASURES, may=_acts(Action.PROPOSE_MEASURES), success=302,
         body=lambda records: {"upheld": "0", "answer": "维持"}),
    # Emergencies: the list, a plan (its draft written, renamed, a draft approved), a team (a
    # member removed), declaring, an emergency under way (its record, roll-call, level, end,
    # a task done).
    Page("GET", "emergency/", "/emergency/", view=Action.VIEW_EMERGENCIES, kind="page"),
    Page("GET", "emergency/plans/new/", "/emergency/plans/new/",
         view=Action.EDIT_EMERGENCY_PLANS, kind="page"),
    Page("GET", "emergency/plans/<int:pk>/", "/emergency/plans/{emergency_plan}/",
         view=Action.VIEW_EMERGENCIES),
    Page("GET", "emergency/plans/<int:pk>/draft/", "/emergency/plans/{emergency_plan}/draft/",
         view=Action.EDIT_EMERGENCY_PLANS),
    Page("POST", "emergency/plans/<int:pk>/name/", "/emergency/plans/{emergency_plan}/name/",
         view=Action.EDIT_EMERGENCY_PLANS, success=302,
         body=lambda records: {"name": "防汛防台预案", **REASON}),
    Page("POST", "emergency/versions/<int:pk>/approve/",
         "/emergency/versions/{emergency_draft}/approve/",
         view=Action.APPROVE_EMERGENCY_PLANS, success=302, body=lambda records: REASON),
    Page("GET", "emergency/teams/new/", "/emergency/teams/new/",
         view=Action.EDIT_EMERGENCY_PLANS, kind="page"),
    Page("GET", "emergency/teams/<int:pk>/", "/emergency/teams/{emergency_team}/",
         view=Action.VIEW_EMERGENCIES),
    Page("POST", "emergency/teams/<int:pk>/members/<int:member>/remove/",
         "/emergency/teams/{emergency_team}/members/{emergency_member}/remove/",
         view=Action.EDIT_EMERGENCY_PLANS, success=302, body=lambda records: REASON),
    Page("GET", "emergency/declare/", "/emergency/declare/",
         view=Action.DECLARE_EMERGENCIES, kind="page"),
    Page("GET", "emergency/<int:pk>/", "/emergency/{emergency}/",
         view=Action.VIEW_EMERGENCIES),
    Page("GET", "emergency/<int:pk>/roll-call/", "/emergency/{emergency}/roll-call/",
         view=Action.VIEW_EMERGENCIES),
    Page("POST", "emergency/<int:pk>/level/", "/emergency/{emergency}/level/",
         view=Action.DECLARE_EMERGENCIES, success=302,
         body=lambda records: {"level": "II", **REASON}),
    Page("POST", "emergency/<int:pk>/end/", "/emergency/{emergency}/end/",
         view=Action.DECLARE_EMERGENCIES, success=302, body=lambda records: REASON),
    Page("POST", "emergency/<int:pk>/roll-call/deputies/",
         "/emergency/{emergency}/roll-call/deputies/", view=Action.DECLARE_EMERGENCIES,
         success=302),
    Page("POST", "emergency/tasks/<int:pk>/done/", "/emergency/tasks/{emergency_task}/done/",
         view=Action.VIEW_EMERGENCIES, success=302, body=lambda records: REASON),
    # Drills: the list, scheduling, running one (its page: below, participants see it too).
    Page("GET", "emergency/drills/", "/emergency/drills/", view=Action.VIEW_EMERGENCIES,
         kind="page"),
    Page("GET", "emergency/drills/new/", "/emergency/drills/new/",
         view=Action.EDIT_EMERGENCY_PLANS, kind="page"),
    Page("POST", "emergency/drills/<int:pk>/run/", "/emergency/drills/{emergency_drill}/run/",
         view=Action.EDIT_EMERGENCY_PLANS, success=302, body=lambda records: REASON),
    # Public alerts: a real warning in force for the grid, seen by every role there; those
    # who publish open its update and cancel forms, and the preparedness messages.
    Page("GET", "alerts/", "/alerts/", kind="page"),
    Page("GET", "alerts/new/", "/alerts/new/", view=Action.PUBLISH_ALERTS, kind="page"),
    Page("GET", "alerts/<int:pk>/", "/alerts/{alert}/"),
    Page("GET", "alerts/<int:pk>/update/", "/alerts/{alert}/update/",
         view=Action.PUBLISH_ALERTS),
    Page("GET", "alerts/<int:pk>/cancel/", "/alerts/{alert}/cancel/",
         view=Action.PUBLISH_ALERTS),
    Page("GET", "alerts/preparedness/", "/alerts/preparedness/", view=Action.PUBLISH_ALERTS,
         kind="page"),
    Page("GET", "alerts/preparedness/new/", "/alerts/preparedness/new/",
         view=Action.PUBLISH_ALERTS, kind="page"),
    # The emergency resource database: each kind's list, record, and forms (a shelter's saved).
    Page("GET", "resources/", "/resources/", view=Action.VIEW_RESOURCES, kind="page"),
    *[page for path, record, _deleted, _body in RESOURCE_KINDS for page in (
        Page("GET", "resources/<slug:kind>/", f"/resources/{path}/",
             view=Action.VIEW_RESOURCES, kind="page"),
        Page("GET", "resources/<slug:kind>/<int:pk>/", f"/resources/{path}/{{{record}}}/",
             view=Action.VIEW_RESOURCES),
        Page("GET", "resources/<slug:kind>/new/", f"/resources/{path}/new/",
             view=Action.EDIT_RESOURCES, kind="page"),
        Page("GET", "resources/<slug:kind>/<int:pk>/edit/",
             f"/resources/{path}/{{{record}}}/edit/", view=Action.EDIT_RESOURCES))],
    Page("POST", "resources/<slug:kind>/new/", "/resources/shelters/new/",
         view=Action.EDIT_RESOURCES, kind="page", success=302,
         body=lambda records: {"name": "新避难所", "address": "应急路100号",
                               "grid_code": records["grid"], "capacity": "10",
                               "occupancy": "0", **REASON}),
    Page("POST", "resources/<slug:kind>/<int:pk>/edit/", "/resources/shelters/{shelter}/edit/",
         view=Action.EDIT_RESOURCES, success=302,
         body=lambda records: {"name": "避难所", "address": records["shelter"].address,
                               "longitude": records["shelter"].longitude,
                               "latitude": records["shelter"].latitude, "capacity": "100",
                               "occupancy": "5", **REASON}),
    # Residents' own pages: the scene's residents are linked to no person (their record page
    # says so; asking for a correction is refused); a sign-in link made by those who edit the
    # person's record; the correction requests of the jurisdiction.
    Page("GET", "me/", "/me/", view=Action.VIEW_OWN_RECORD, kind="page"),
    Page("POST", "me/correction/", "/me/correction/", view=Action.VIEW_OWN_RECORD,
         kind="page", may=_nobody, body=lambda records: {"text": "电话有误"}),
    Page("GET", "me/notices/", "/me/notices/", view=Action.VIEW_OWN_RECORD, kind="page"),
    Page("GET", "me/requests/", "/me/requests/", view=Action.VIEW_OWN_RECORD, kind="page"),
    Page("GET", "me/requests/new/", "/me/requests/new/", view=Action.VIEW_OWN_RECORD,
         kind="page"),
    Page("POST", "residents/persons/<int:pk>/link/", "/residents/persons/{person}/link/",
         view=Action.EDIT_PEOPLE),
    Page("GET", "residents/corrections/", "/residents/corrections/", view=Action.EDIT_PEOPLE,
         kind="page"),
    # Notices: the list and the compose page (a notice, role by role, in tests/notices).
    Page("GET", "notices/", "/notices/", view=Action.PUBLISH_NOTICES, kind="page"),
    Page("GET", "notices/new/", "/notices/new/", view=Action.PUBLISH_NOTICES, kind="page"),
    # Needs and offers: the board and its forms (a need, role by role, in tests/needs).
    Page("GET", "needs/", "/needs/", view=Action.POST_NEEDS, kind="page"),
    Page("GET", "needs/new/", "/needs/new/", view=Action.POST_NEEDS, kind="page"),
    Page("GET", "needs/offers/new/", "/needs/offers/new/",
         view=(Action.MATCH_NEEDS, Action.OFFER_HELP), kind="page"),
    Page("GET", "needs/offers/ours/", "/needs/offers/ours/", view=Action.OFFER_HELP,
         kind="page"),
    Page("GET", "needs/donations/new/", "/needs/donations/new/", view=Action.MATCH_NEEDS,
         kind="page"),
    # Conventions: the list and the drafting page (a convention, role by role, in
    # tests/conventions).
    Page("GET", "conventions/", "/conventions/", view=Action.VIEW_CONVENTIONS, kind="page"),
    Page("GET", "conventions/new/", "/conventions/new/", view=Action.MANAGE_CONVENTIONS,
         kind="page"),
    Page("GET", "me/conventions/", "/me/conventions/", view=Action.VIEW_OWN_RECORD,
         kind="page"),
    # Signed in with the second factor (or needing none): the step is passed.
    Page("GET", "account/two-factor/", "/account/two-factor/", kind="page", success=302),
    Page("GET", "account/password/", "/account/password/", kind="page"),
]

# Pages whose record is the caller's own or named in the query: checked below, role by role.
OWN_PAGES = {
    "imports/<int:pk>/", "imports/<int:pk>/rejects/", "imports/<int:pk>/retry/",
    "reports/<slug:slug>/export/", "reports/<slug:slug>/gaps/",
    # A filled form's download and keeping it as a template take the form the page signed
    # for its user (tests/web/test_fill_pages.py).
    "reports/forms/download/", "reports/forms/keep/",
    "events/<int:pk>/photos/<int:photo>/",
}
# Pages open to anyone, signed in or not; their tests are elsewhere.
NOT_IN_THE_MATRIX = {
    "login/": "signing in (tests/web/test_access.py, tests/access)",
    "logout/": "signing out (tests/web/test_access.py)",
    "account/set-password/<uidb64>/<token>/": "the owner's one-time link (tests/web/"
                                              "test_account_pages.py)",
    "i18n/setlang/": "the language switch (tests/web/test_language.py)",
    "report/ticket/": "the residents' pages (tests/open311)",
    "report/ticket/<str:number>/": "the residents' pages (tests/open311)",
    "report/ticket/<str:number>/rate/": "the residents' pages (tests/open311)",
    "report/ticket/<str:number>/photos/<int:pk>/": "the residents' pages (tests/open311)",
    r"^report/(?P<code>\d{12})/$": "the residents' pages (tests/open311)",
    "open311/media/<str:token>/": "Open311 GeoReport v2 (tests/open311)",
    "checkin/<str:token>/": "the residents' health check-in (tests/health)",
    "checkin/answers/": "the residents' health check-in (tests/health)",
    "checkin/forget/": "the residents' health check-in (tests/health)",
    "risk/rules/<int:pk>/": "a version of the risk rules, role by role (tests/risk/test_pages.py)",
    "risk/rules/<int:pk>/put-in-force/": "putting risk rules in force, role by role "
                                         "(tests/risk/test_pages.py)",
    "risk/grades/<str:kind>/<str:key>/": "a subject's risk grade, role by role, in and out of "
                                         "scope (tests/risk/test_pages.py)",
    "alerts/feed.atom": "the public feed of real warnings in force (tests/alerts)",
    "me/sign-in/": "a resident's sign-in by code (tests/residents)",
    "me/sign-in/code/": "a resident's sign-in by code (tests/residents)",
    "me/link/<str:secret>/": "a resident's sign-in by a grid worker's link (tests/residents)",
    "residents/corrections/<int:pk>/": "a correction request, in and out of scope "
                                       "(tests/residents/test_accounts.py)",
    **dict.fromkeys((
        "notices/<int:pk>/", "notices/<int:pk>/unread/", "notices/<int:pk>/withdraw/",
        "notices/receipts/<int:pk>/told/", "me/notices/<int:pk>/",
        "me/notices/<int:pk>/acknowledge/"),
        "a notice and its receipts, role by role, in and out of scope "
        "(tests/notices/test_pages.py; the scene holds no notice)"),
    **dict.fromkeys((
        "volunteers/", "volunteers/register/", "volunteers/<int:pk>/",
        "volunteers/<int:pk>/decide/", "volunteers/<int:pk>/points/", "volunteers/tasks/",
        "volunteers/tasks/new/", "volunteers/tasks/<int:pk>/", "volunteers/tasks/<int:pk>/call/",
        "volunteers/tasks/<int:pk>/cancel/", "volunteers/participations/<int:pk>/hours/",
        "volunteers/rules/", "volunteers/ranking/", "me/volunteer/", "me/volunteer/withdraw/",
        "me/volunteer/tasks/<int:pk>/<slug:step>/"),
        "volunteers and their tasks, role by role, in and out of scope "
        "(tests/volunteers/test_pages.py; the scene holds no report-in)"),
    **dict.fromkeys((
        "needs/<int:pk>/", "needs/<int:pk>/match/", "needs/<int:pk>/close/",
        "needs/offers/<int:pk>/", "needs/offers/<int:pk>/close/", "needs/matches/<int:pk>/",
        "needs/matches/<int:pk>/deliver/", "needs/matches/<int:pk>/cancel/"),
        "needs and offers, role by role, in and out of scope (tests/needs/test_pages.py; "
        "the scene holds no need)"),
    r"^needs/donations/(?P<code>\d{12})/$": "the public sums of donations (tests/needs)",
    **dict.fromkeys(("me/requests/<int:pk>/", "me/requests/<int:pk>/rate/",
                     "me/requests/<int:pk>/photos/<int:photo>/"),
                    "a resident's own request, theirs alone (tests/residents/"
                    "test_requests.py; the scene's residents are linked to no person)"),
    **dict.fromkeys((
        "conventions/<int:pk>/", "conventions/<int:pk>/<slug:step>/",
        "conventions/comments/<int:pk>/hide/", "conventions/breaches/<int:pk>/",
        "me/conventions/<int:pk>/", "me/conventions/<int:pk>/<slug:step>/"),
        "a convention, its vote and breaches, role by role, in and out of scope "
        "(tests/conventions; the scene holds no convention)"),
    "conventions/public/<str:code>/": "a community's conventions for anyone, no sign-in "
                                      "(tests/conventions/test_pages.py)",
    "measures/notice/<str:token>/": "a person's own measure, by signed link (tests/measures)",
    "emergency/answer/<str:token>/": "a call's one-tap answer, by signed link "
                                     "(tests/emergency)",
    "emergency/drills/<int:pk>/": "a drill, for its jurisdiction's viewers and its "
                                  "participants (tests/emergency/test_drills.py)",
    "measures/notice/<str:token>/appeal/": "a person's own measure, by signed link "
                                           "(tests/measures)",
    **dict.fromkeys(("care/visits/", "care/visits/<int:person>/"),
                    "care visits, role by role, in and out of scope (tests/care/test_pages.py; "
                    "the scene holds no one under a visit rule)"),
    **dict.fromkeys(("care/medical/", "care/medical/new/<int:person>/", "care/medical/mine/",
                     "care/medical/<int:pk>/", "care/medical/<int:pk>/<slug:step>/"),
                    "remote medical help, role by role, in and out of scope (tests/care/"
                    "test_medical_pages.py; the scene holds no health centre)"),
    **dict.fromkeys((
        "resources/requests/", "resources/requests/new/", "resources/requests/<int:pk>/",
        "resources/allocations/", "resources/allocations/<int:pk>/",
        "resources/allocations/<int:pk>/shipments/<int:shipment>/",
        "resources/allocations/<int:pk>/confirm/",
        "resources/allocations/dispatches/<int:pk>/<slug:step>/"),
        "supplies, role by role, in and out of scope (tests/resources/test_supply_matrix.py; "
        "the scene holds no request)"),
}


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def test_every_page_is_classified():
    """A new page must join the matrix. The API and the back office have matrices of their
    own (tests/api/test_access_matrix.py, tests/core/test_admin_scope.py)."""
    routes = {route for route in _routes(get_resolver().url_patterns)
              if not route.startswith(("admin/", "api/v1/", "^open311/", "open311/v2/"))}
    known = {page.route for page in PAGES} | OWN_PAGES | set(NOT_IN_THE_MATRIX)
    assert routes == known, {"unclassified": routes - known, "gone": known - routes}


def expected_status(role: str, page: Page, in_scope: bool) -> int:
    views = page.view if isinstance(page.view, tuple) else (page.view,)
    if page.view is not None and not any(view in ROLE_ACTIONS[role] for view in views):
        return 403
    if page.kind == "record" and not in_scope:
        return 404  # exactly like a record that does not exist
    return page.success if page.may(role) else page.refused


@pytest.mark.parametrize("page", PAGES, ids=str)
@pytest.mark.parametrize("role", Role.values)
def test_access(role, page, scene, db, client):
    client.force_login(make_user(role, STREET_1))
    for in_scope in (IN, OUT) if page.kind == "record" else (IN,):
        path = page.path(scene[in_scope])
        response = (client.get(path) if page.method == "GET"
                    else client.post(path, page.body(scene[in_scope])))
        want = expected_status(role, page, in_scope)
        assert response.status_code == want, (in_scope, response.content.decode()[:300])


@pytest.mark.parametrize("role", Role.values)
def test_access_to_own_import_jobs(role, scene, db, client):
    """A job is its uploader's own: anyone else's is 404, like a record out of scope."""
    user = make_user(role, STREET_1)
    client.force_login(user)
    may = Action.IMPORT_FILES in ROLE_ACTIONS[role]
    rejects = job_storage().save("matrix/rejects.xlsx", ContentFile(b"PK"))
    for owner, mine in ((user, True), (make_user(Role.COMMUNITY_STAFF, STREET_1), False)):
        job = ImportJob.objects.create(user=owner, kind="persons", file=rejects,
                                       rejects=rejects, status=ImportJob.Status.FAILED)
        for method, path, success in (("get", f"/imports/{job.pk}/", 200),
                                      ("get", f"/imports/{job.pk}/rejects/", 200),
                                      ("post", f"/imports/{job.pk}/retry/", 302)):
            response = getattr(client, method)(path)
            want = 403 if not may else success if mine else 404
            assert response.status_code == want, (path, mine)


@pytest.mark.parametrize("role", Role.values)
def test_access_to_reports(role, scene, db, client):
    """A report's scope is a code in the query: outside the jurisdiction is 404."""
    client.force_login(make_user(role, STREET_1))
    may = Action.USE_REPORTS in ROLE_ACTIONS[role]
    slug = "civil-affairs-elderly-alone"
    for in_scope, scope in ((IN, STREET_1), (OUT, STREET_2)):
        for path in (f"/reports/{slug}/export/", f"/reports/{slug}/gaps/"):
            response = client.get(path, {"scope": scope, "format": "csv",
                                             "purpose": "department"})
            want = 403 if not may else 200 if in_scope else 404
            assert response.status_code == want, (path, in_scope)


@pytest.mark.parametrize("role", Role.values)
def test_access_to_event_photos(role, scene, db, client):
    client.force_login(make_user(role, STREET_1))
    for in_scope in (IN, OUT):
        event = scene[in_scope]["event"]
        png = io.BytesIO()
        Image.new("RGB", (8, 8)).save(png, format="PNG")
        [photo] = event_photos_add(event=event, uploads=[ContentFile(png.getvalue(), "a.png")],
                                   by=SYSTEM)
        response = client.get(f"/events/{event.pk}/photos/{photo.pk}/")
        want = (403 if Action.VIEW_EVENTS not in ROLE_ACTIONS[role]
                else 200 if in_scope else 404)
        assert response.status_code == want, in_scope

