"""The job consumer's entry point: `huey_consumer fitlink.worker.huey`.

Importing this module builds the app from the environment, which points the
shared Huey instance at the configured storage (Redis in production) and gives
tasks the app context they run in.
"""

from . import create_app, jobs

app = create_app()
huey = jobs.huey
