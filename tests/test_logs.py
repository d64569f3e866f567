"""Structured logs: one JSON line on stdout per request and per job."""

import json

import pytest
import requests
from helpers import connect, signup

from fitlink.builtin_services.common.server import serve_in_thread


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_one_line_per_request_with_user_and_duration(client, capsys):
    signup(client)
    capsys.readouterr()
    client.get("/dashboard")
    lines = [line for line in json_lines(capsys.readouterr().out) if line.get("event") == "request"]
    assert len(lines) == 1
    line = lines[0]
    assert (line["method"], line["path"], line["status"]) == ("GET", "/dashboard", 200)
    assert isinstance(line["user_id"], int) and line["duration_ms"] >= 0
    assert line["level"] == "info" and line["logger"] == "fitlink.request" and line["time"]


def test_anonymous_request_has_no_user(client, capsys):
    client.get("/login")
    (line,) = [line for line in json_lines(capsys.readouterr().out) if line.get("event") == "request"]
    assert line["user_id"] is None and line["status"] == 200


@pytest.mark.usefixtures("provider")
def test_one_line_per_job_with_user_duration_and_result(client, capsys):
    signup(client)
    connect(client)  # queues the import, which runs at once in tests
    jobs = [line for line in json_lines(capsys.readouterr().out) if line.get("event") == "job"]
    assert [(job["name"], job["status"], job["result"]) for job in jobs] == [("sync_task", "done", "complete")]
    assert isinstance(jobs[0]["user_id"], int) and jobs[0]["duration_ms"] > 0


@pytest.mark.ports  # serves the app on a port
def test_the_development_servers_access_log_leaves_out_query_strings(app, caplog):
    """OAuth callbacks carry verifiers and codes in the query string; `make run`'s server logged them whole."""
    secrets = ("VERIFIERSECRET", "TOKENSECRET", "CODESECRET", "STATESECRET")
    with serve_in_thread(app) as server:
        requests.get(f"{server.url}/fitbit/authorized?oauth_token=TOKENSECRET&oauth_verifier=VERIFIERSECRET",
                     allow_redirects=False, timeout=5)
        requests.get(f"{server.url}/google_health/authorized?code=CODESECRET&state=STATESECRET",
                     allow_redirects=False, timeout=5)
    access = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert any("GET /fitbit/authorized HTTP/1.1" in line for line in access)
    assert any("GET /google_health/authorized HTTP/1.1" in line for line in access)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not any(secret in logged for secret in secrets)
