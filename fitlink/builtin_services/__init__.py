"""The built-in services fitlink uses when a source has no credentials: a Fitbit-compatible
service (``fitbit``) and a Google Health service (``google_health``).

They share ``common``: the demo accounts and their deterministic data, the clock setting,
the one-request-at-a-time WSGI wrapper, the build steps and page templates, and a server
thread for tests. fitlink's product modules never import this package; ``fitlink.builtin``
mounts it.
"""
