"""Structured logs: one JSON line on stdout per request and per job."""

import json

from conftest import connect, signup


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


def test_one_line_per_job_with_user_duration_and_result(client, capsys):
    signup(client)
    connect(client)  # queues the import, which runs at once in tests
    jobs = [line for line in json_lines(capsys.readouterr().out) if line.get("event") == "job"]
    assert [(job["name"], job["status"], job["result"]) for job in jobs] == [("sync_task", "done", "complete")]
    assert isinstance(jobs[0]["user_id"], int) and jobs[0]["duration_ms"] > 0
