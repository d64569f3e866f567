"""Every provider call, failing every way: fitlink never answers 5xx, keeps every row once, and says what happened.

One fitlink app per provider, with one person connected, serves every case
of its module; each case arms one fault on one call (tests/faults.py), does
what reaches that call (reconnect, Sync now, Disconnect), and compares the
stored rows before and after. Jobs run at once (JOBS_IMMEDIATE).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from helpers import authorize_on_provider, build_app, close_database, local_path, make_config, signup
from faults import FAULTS, Call, Faults
from helpers.google_health import CLIENT_ID, CLIENT_SECRET, decide, google_config

from fitlink.builtin_services.common.server import serve_in_thread
from fitlink.builtin_services.fitbit import create_demo_app
from fitlink.builtin_services.google_health import create_demo_app as create_google_demo
from fitlink.builtin_services.google_health import expire_access_tokens
from fitlink.extensions import db
from fitlink.fitbit.source import ENDPOINTS
from fitlink.google_health.source import LISTS, ROLLUPS
from fitlink.models import DailyMetric, Connection, SourceMetric, SyncRequest, SyncState, User

pytestmark = pytest.mark.ports  # the tests serve the built-in services (or stand-ins) on ports of their own

NORMAL_TIMEOUT = 5
# While a "timeout" is armed: every attempt gives up this soon, and the fault hangs longer.
SHORT_TIMEOUT, HANG = 0.2, 0.4


def _series(template: str) -> str:
    return re.escape(template).replace(r"\{start\}", "[0-9-]+").replace(r"\{end\}", "[0-9-]+")


# (call, what reaches it): "oauth"/"profile"/"goals" on connecting again, "sync" and "refresh"
# on Sync now, "revoke" on Disconnect.
FITBIT_CALLS = [
    (Call("request token", "POST", "/oauth/request_token"), "oauth"),
    (Call("access token", "POST", "/oauth/access_token"), "oauth"),
    (Call("profile", "GET", r"/1/user/-/profile\.json"), "profile"),
    (Call("goals", "GET", r"/1/user/-/activities/date/[0-9-]+\.json"), "goals"),
    # The activity log list's template carries its query; faults match the path alone.
    *[(Call(metric, "GET", _series(path.split("?")[0])), "sync") for metric, (path, _days) in ENDPOINTS.items()],
]
GOOGLE_CALLS = [
    (Call("token", "POST", "/token", grant="authorization_code"), "oauth"),
    (Call("profile", "GET", "/v4/users/me/(identity|settings|profile)"), "profile"),
    *[(Call(f"rollup {kind}", "POST", f"/v4/users/me/dataTypes/{kind}/dataPoints:dailyRollUp"), "sync")
      for kind in dict.fromkeys(data_type for data_type, _days in ROLLUPS.values())],
    *[(Call(f"list {kind}", "GET", f"/v4/users/me/dataTypes/{kind}/dataPoints"), "sync")
      for kind, *_rest in LISTS.values()],
    (Call("token refresh", "POST", "/token", grant="refresh_token"), "refresh"),
    (Call("revocation", "POST", "/revoke"), "revoke"),
]

OUTAGE = "{label} did not answer"
SYNC_MESSAGES = {"timeout": OUTAGE, "reset": OUTAGE, "500": OUTAGE, "503": OUTAGE, "truncated": OUTAGE,
                 "429": "{label}&#39;s rate limit", "401": "Reconnect {label}",
                 "html": "{label} sent data fitlink could not read"}
PROFILE_MESSAGES = {"401": "{label} refused fitlink&#39;s access", "429": "{label}&#39;s rate limit is reached"}
MESSAGES = {
    "oauth": "{label} could not be reached or refused the request",
    "goals": "Connected to {label} as",
    "revoke": "{label} did not confirm that it ended fitlink&#39;s access",
}


def expected(label: str, phase: str, fault: str) -> str:
    """The words that tell the person what happened."""
    if phase == "refresh" and fault == "401":
        # 401 invalid_client: Google refused fitlink's own client, which reconnecting would not mend.
        return OUTAGE.format(label=label)
    if phase == "revoke" and fault == "html":
        # A 200 is Google's confirmation, whatever its body says.
        return "{label} is disconnected, and the data fitlink had from it is deleted.".format(label=label)
    if phase == "profile":
        # Right after Allow: the same words as a sync's, for a connection that was never stored.
        message = PROFILE_MESSAGES.get(fault, SYNC_MESSAGES[fault])
    else:
        message = SYNC_MESSAGES[fault] if phase in ("sync", "refresh") else MESSAGES[phase]
    return message.format(label=label)


@dataclass
class World:
    """One fitlink app, one provider behind a fault injector, one person connected to it."""

    app: object
    faults: Faults
    provider_url: str
    provider: str  # the connection's kind
    label: str
    timeout_setting: str
    statuses: list[int] = field(default_factory=list)

    def __post_init__(self):
        self.client = self.app.test_client()
        signup(self.client)

    def get(self, path: str):
        answer = self.client.get(path)
        self.statuses.append(answer.status_code)
        return answer

    def post(self, path: str):
        answer = self.client.post(path)
        self.statuses.append(answer.status_code)
        return answer

    def connect(self) -> str:
        """Press Connect (again); play the person on the provider's page; return the dashboard."""
        start = self.get(f"/{self.provider}")
        location = start.headers["Location"]
        if location.startswith(self.provider_url):  # else fitlink gave up before the provider's page
            callback = (authorize_on_provider(location, account="alex") if self.provider == "fitbit"
                        else decide(location))
            self.get(local_path(callback))
        return self.get("/dashboard").text

    def reset(self) -> None:
        """Start a case connected, with no error, pause, queued sync or recent press left by the last one."""
        with self.app.app_context():
            connected = db.session.execute(db.select(Connection).filter_by(provider=self.provider)).scalar_one_or_none()
            if connected is not None:
                connected.broken_at = None
                for state in db.session.execute(db.select(SyncState)).scalars():
                    state.last_error = state.next_attempt = None
                db.session.execute(db.delete(SyncRequest))
                db.session.get(User, 1).sync_pressed_at = None
            db.session.commit()
        if connected is None:
            self.connect()
        self.statuses = []

    def snapshot(self, with_token: bool) -> tuple:
        """Every stored row a fault could lose or duplicate, and the token where it must not change.

        A failed reconnect keeps the token; a sync may legitimately store a refreshed one.
        """
        with self.app.app_context():
            shown = db.session.execute(db.select(DailyMetric.user_id, DailyMetric.metric, DailyMetric.day,
                                                 DailyMetric.value, DailyMetric.source)).all()
            kept = db.session.execute(db.select(SourceMetric.user_id, SourceMetric.source, SourceMetric.metric,
                                                SourceMetric.day, SourceMetric.value)).all()
            links = db.session.execute(db.select(Connection)).scalars().all()
            connections = [(link.id, link.provider, link.provider_user_id, link.user_id, link.goals,
                            dict(link.token) if with_token else None) for link in links]
        return sorted(shown), sorted(kept), sorted(connections)

    def act(self, phase: str) -> str:
        """Do what reaches a call of this phase; return the page the person lands on."""
        if phase in ("oauth", "profile", "goals"):
            return self.connect()
        if phase == "revoke":
            self.post(f"/connections/{self.provider}/disconnect")
            return self.get("/dashboard").text
        self.post("/sync")
        return self.get("/dashboard").text


def check(world: World, call: Call, phase: str, fault: str, prepare=None) -> None:
    """Arm the fault, act, and check status codes, stored rows and the words the person reads."""
    world.reset()
    if prepare is not None:
        prepare()
    keeps_token = phase in ("oauth", "profile")
    before = world.snapshot(keeps_token)
    world.faults.arm(call, fault)
    world.app.config[world.timeout_setting] = SHORT_TIMEOUT if fault == "timeout" else NORMAL_TIMEOUT
    try:
        page = world.act(phase)
    finally:
        world.faults.disarm()
        world.app.config[world.timeout_setting] = NORMAL_TIMEOUT
    assert world.faults.hits >= 1, "the armed call was never made"
    assert world.statuses and all(status < 500 for status in world.statuses), world.statuses
    after = world.snapshot(keeps_token)
    if phase == "revoke":  # the person asked for the connection and its data to go, and they did
        assert after == ([], [], []) and before[0]
    else:
        assert after == before
    assert expected(world.label, phase, fault) in page


def connected_world(demo, config: Callable[[str], dict], source: str, label: str):
    """For a module fixture: the service `demo` behind a fault injector on a port, fitlink configured by
    config(its URL), one person connected; yield the World, then close both apps' databases."""
    faults = Faults(demo, hang=HANG)
    with pytest.MonkeyPatch.context() as patch, serve_in_thread(faults) as server:
        patch.delenv("OAUTHLIB_INSECURE_TRANSPORT", raising=False)
        app = build_app(config(server.url))
        world = World(app, faults, server.url, source, label, f"{source.upper()}_TIMEOUT")
        assert f"Connected to {label} as" in world.connect()
        yield world
    close_database(app)
    close_database(demo)


@pytest.fixture(scope="module")
def fitbit_world(tmp_path_factory):
    demo = create_demo_app({"TESTING": True, "SECRET_KEY": "demo-test-secret", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                            "DEMO_FITBIT_CLIENTS": {"fitlink-builtin": "test-demo-client-secret"},
                            "DEMO_FITBIT_RATE_LIMIT": 1_000_000})
    tmp = tmp_path_factory.mktemp("fitbit")
    yield from connected_world(demo, lambda url: make_config(tmp, url, FITBIT_TIMEOUT=NORMAL_TIMEOUT, FITBIT_RETRY_BACKOFF=0,
                                                             BACKFILL_MAX_DAYS=30), "fitbit", "Fitbit")


@pytest.fixture(scope="module")
def google_world(tmp_path_factory):
    demo = create_google_demo({"SECRET_KEY": "demo-gh-secret", "TESTING": True,
                               "DEMO_GOOGLE_HEALTH_CLIENTS": {CLIENT_ID: CLIENT_SECRET},
                               "DEMO_GOOGLE_HEALTH_RATE_LIMIT": 1_000_000})
    tmp = tmp_path_factory.mktemp("google")
    yield from connected_world(demo, lambda url: make_config(tmp, "http://127.0.0.1:9/demo-fitbit", **{
        **google_config(url), "GOOGLE_HEALTH_TIMEOUT": NORMAL_TIMEOUT, "GOOGLE_HEALTH_RETRY_BACKOFF": 0}),
        "google_health", "Google Health")


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize(("call", "phase"), FITBIT_CALLS, ids=[call.name for call, _ in FITBIT_CALLS])
def test_fitbit(fitbit_world, call, phase, fault):
    check(fitbit_world, call, phase, fault)


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize(("call", "phase"), GOOGLE_CALLS, ids=[call.name for call, _ in GOOGLE_CALLS])
def test_google_health(google_world, call, phase, fault):
    # Expired access tokens: the next API call answers 401, and fitlink refreshes.
    prepare = (lambda: expire_access_tokens(google_world.faults.app)) if phase == "refresh" else None
    check(google_world, call, phase, fault, prepare)
