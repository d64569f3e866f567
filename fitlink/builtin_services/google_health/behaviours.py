"""Options that make the service answer as the live Google Health API has been seen to.

The discovery document does not describe these; public clients of the live API
report them (their issue trackers and the live deliveries they log). Each is
off unless noted, so a test turns on what it checks:

- ``DEMO_GOOGLE_HEALTH_SIGN_NOTIFICATIONS`` (on): sign each notification as Google does
  and publish the public Tink keyset at ``/webhooks/public_keyset.json``;
  ``DEMO_GOOGLE_HEALTH_SIGNATURE_HEADER`` names the header (GOOGLE-HEALTH-API-SIGNATURE).
- ``DEMO_GOOGLE_HEALTH_NOTIFY_WITH_SECRET`` (on): send ``Authorization: <secret>`` with
  notifications; off models the report of it missing after the verification.
- ``DEMO_GOOGLE_HEALTH_BATCH_NOTIFICATIONS``: deliver a change's notifications as one JSON array.
- ``DEMO_GOOGLE_HEALTH_PAGE_CAP``: list pages hold at most this many points whatever
  pageSize asks (Google: about 5,000).
- ``DEMO_GOOGLE_HEALTH_SLEEP_IN_PROGRESS``: the night that ends on the account's today is
  still in progress: no endTime, no summary.
- ``DEMO_GOOGLE_HEALTH_MIRRORS``: list returns sleep and weight points twice, from the
  tracker and as a Health Connect mirror (reconcile does not).
- ``DEMO_GOOGLE_HEALTH_ZERO_STEP_DAYS``: dates on which no step was taken; dailyRollUp
  leaves those days out of steps, distance and floors, as Google does.
- ``DEMO_GOOGLE_HEALTH_RETRY_AFTER``: the Retry-After value 429 answers carry (seconds
  or an HTTP date).
- ``DEMO_GOOGLE_HEALTH_WEIGH_INS``: weigh-ins on each day with a weight (1); their mean
  is the day's weight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

DEFAULTS = {
    "DEMO_GOOGLE_HEALTH_SIGN_NOTIFICATIONS": True,
    "DEMO_GOOGLE_HEALTH_SIGNATURE_HEADER": "GOOGLE-HEALTH-API-SIGNATURE",
    "DEMO_GOOGLE_HEALTH_NOTIFY_WITH_SECRET": True,
    "DEMO_GOOGLE_HEALTH_BATCH_NOTIFICATIONS": False,
    "DEMO_GOOGLE_HEALTH_PAGE_CAP": None,
    "DEMO_GOOGLE_HEALTH_SLEEP_IN_PROGRESS": False,
    "DEMO_GOOGLE_HEALTH_MIRRORS": False,
    "DEMO_GOOGLE_HEALTH_ZERO_STEP_DAYS": (),
    "DEMO_GOOGLE_HEALTH_RETRY_AFTER": None,
    "DEMO_GOOGLE_HEALTH_WEIGH_INS": 1,
}


@dataclass(frozen=True)
class Behaviours:
    """The live-API behaviours this service shows."""

    sign: bool = True
    signature_header: str = "GOOGLE-HEALTH-API-SIGNATURE"
    notify_with_secret: bool = True
    batch: bool = False
    page_cap: int | None = None
    sleep_in_progress: bool = False
    mirrors: bool = False
    zero_step_days: frozenset[date] = frozenset()
    retry_after: str | None = None
    weigh_ins: int = 1

    @classmethod
    def of(cls, config) -> Behaviours:
        """Read the options from an app's config."""
        cap = config["DEMO_GOOGLE_HEALTH_PAGE_CAP"]
        retry = config["DEMO_GOOGLE_HEALTH_RETRY_AFTER"]
        return cls(sign=bool(config["DEMO_GOOGLE_HEALTH_SIGN_NOTIFICATIONS"]),
                   signature_header=config["DEMO_GOOGLE_HEALTH_SIGNATURE_HEADER"],
                   notify_with_secret=bool(config["DEMO_GOOGLE_HEALTH_NOTIFY_WITH_SECRET"]),
                   batch=bool(config["DEMO_GOOGLE_HEALTH_BATCH_NOTIFICATIONS"]),
                   page_cap=int(cap) if cap else None,
                   sleep_in_progress=bool(config["DEMO_GOOGLE_HEALTH_SLEEP_IN_PROGRESS"]),
                   mirrors=bool(config["DEMO_GOOGLE_HEALTH_MIRRORS"]),
                   zero_step_days=frozenset(config["DEMO_GOOGLE_HEALTH_ZERO_STEP_DAYS"] or ()),
                   retry_after=None if retry is None else str(retry),
                   weigh_ins=max(1, int(config["DEMO_GOOGLE_HEALTH_WEIGH_INS"])))
