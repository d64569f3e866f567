"""The job consumer's entry point: `huey_consumer fitlink.worker.huey`.

Importing this module builds the app from the environment, which points the
shared Huey instance at the configured storage (Redis in production) and gives
tasks the app context they run in. Then it recovers from whatever a stopped
consumer left behind.
"""

from . import create_app, jobs

app = create_app({"JOBS_IN_PROCESS": False})  # this process is the consumer
huey = jobs.huey


def recover() -> None:
    """Catch up after a stop: queue the periodic refresh now.

    Periodic runs do not happen while no consumer is up, and the job a killed
    consumer was running is gone from the queue. Its sync lease expires by itself
    (SYNC_LEASE_SECONDS); until then the refresh's sync of that user waits.
    """
    jobs.refresh_stale()


recover()
