"""What both OAuth connect blueprints do once the provider has answered: hand the token on, go back, say what failed."""

import logging

from flask import current_app, flash, redirect, url_for
from flask_dance.consumer import oauth_authorized
from werkzeug.wrappers import Response

log = logging.getLogger(__name__)


class ConnectSteps:
    """A mixin for Flask-Dance consumer blueprints; a subclass names its `label` and `timeout_setting`."""

    label: str
    timeout_setting: str

    @property
    def next_url(self) -> str:
        return url_for(self.redirect_to)

    @property
    def timeout(self) -> float:
        return current_app.config[self.timeout_setting]

    def authorized_with(self, token: dict):
        """Send oauth_authorized (fitlink's handler stores the connection), then go back to the dashboard."""
        for _receiver, result in oauth_authorized.send(self, token=token) or []:
            if isinstance(result, Response):
                return result
        return redirect(self.next_url)

    def failed(self, step: str, err: Exception):
        """Log why a step of the dance failed (its kind only: messages may carry tokens) and say so plainly."""
        log.warning("%s %s failed: %s", self.label, step, type(err).__name__)
        flash(f"{self.label} could not be reached or refused the request. Nothing was connected; "
              "please try again later.", "error")
        return redirect(self.next_url)
