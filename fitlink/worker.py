"""The job consumer's entry point: `huey_consumer fitlink.worker.huey`.

Importing this module builds the app from the environment, which points the
shared Huey instance at the configured storage (Redis in production) and gives
tasks the app context they run in. Then it recovers from whatever a stopped
consumer left behind.
"""

import logging

from sqlalchemy import select

from . import create_app, jobs
from .extensions import db
from .models import OAuth

log = logging.getLogger(__name__)

app = create_app()
huey = jobs.huey


def recover() -> None:
    """Release the per-user sync locks of a consumer that died mid-sync, then catch up.

    Huey's locks never expire, so a killed consumer would leave its users locked
    out of syncs for good. Releasing them while another consumer is mid-sync lets
    one sync of that user overlap with it, which the idempotent upserts make harmless.
    Periodic runs do not happen while no consumer is up, and the job a killed
    consumer was running is gone from the queue, so queue the periodic refresh now.
    """
    with app.app_context():
        user_ids = db.session.execute(select(OAuth.user_id)).scalars().all()
        db.session.remove()
    released = huey.flush_locks(*(f"sync-user-{user_id}" for user_id in user_ids))
    if released:
        log.info("released %d sync locks left by a stopped consumer", len(released))
    jobs.refresh_stale()


recover()
