"""Periodic jobs: an expired agreement ends and its vendor is told, through the job."""

from __future__ import annotations

import logging
import threading

from api import jobs
from api.services.signing import verify
from tests.api.test_mail import NO_MAIL
from tests.conftest import configure
from tests.oauth.test_person_vendor import bearer


class Answer:
    def __init__(self, status: int) -> None:
        self.status_code = status


def test_expired_agreement_ends_and_the_vendor_is_notified(app, person, vendors, flow, client,
                                                          clock, caplog):
    vendor = vendors.register(custos_notification_uri="https://vendor.example/notices")
    tokens = flow.tokens(vendor, scope="data:contact.email purpose:ServiceProvision duration:1")
    agreement = flow.read(tokens["access_token"]).get_json()["agreement"]
    configure(app, issuer="https://custos.example")
    sent = []

    def post(url, **kw):
        sent.append((url, kw["data"]))
        return Answer(204)

    assert jobs.run_jobs_once(app, post=post) == \
        {"expired": 0, "delivered": 0, "failed": 0, **NO_MAIL}
    clock.advance(days=1, seconds=1)
    with caplog.at_level(logging.INFO, logger="custos.jobs"):
        assert jobs.run_jobs_once(app, post=post) == \
        {"expired": 1, "delivered": 1, "failed": 0, **NO_MAIL}
    assert "1 agreements expired, 1 notices delivered" in caplog.text
    assert agreement not in caplog.text and person not in caplog.text  # counts only
    url, body = sent[0]
    notice = verify(body, client.get("/oauth/jwks.json").get_json())
    assert url == "https://vendor.example/notices" and notice["agreement"] == agreement
    assert notice["reason"] == "expired" and notice["iss"] == "https://custos.example"
    vault = app.extensions["custos.vault"]
    assert vault.agreements.grants.get(agreement).status == "expired"
    assert flow.read(tokens["access_token"]).status_code == 401
    changes = [e.payload["change"] for e in vault.list_events(person, kinds=["grant_changed"])]
    assert changes[-1] == "expired"
    assert jobs.run_jobs_once(app, post=post)["delivered"] == 0  # nothing twice


def test_a_failing_run_is_logged_by_type_and_the_loop_goes_on(app, caplog):
    calls = []

    def run(_app):
        calls.append(1)
        raise ValueError("ada@example.org")  # a message may hold a personal value

    runner = jobs.Runner(app, run=run)
    with caplog.at_level(logging.ERROR, logger="custos.jobs"):
        assert runner.tick() is False and runner.tick() is False
    assert len(calls) == 2 and "ValueError" in caplog.text and "ada@" not in caplog.text


def test_the_thread_runs_every_interval_until_stopped(app):
    configure(app, jobs_interval=0.01)
    ran = threading.Event()
    runner = jobs.Runner(app, run=lambda _app: ran.set())
    runner.thread.start()
    try:
        assert ran.wait(5)
    finally:
        runner.stop()
    assert not runner.thread.is_alive()


def test_without_an_issuer_the_jobs_wait(app):
    assert jobs.run_jobs_once(app) == \
        {"expired": 0, "delivered": 0, "failed": 0, **NO_MAIL}


def test_the_interval_is_the_setting(app):
    configure(app, jobs_interval=7.0)
    assert jobs.Runner(app).interval == 7.0


def test_revoked_notice_goes_out_through_the_job(app, person, vendors, flow, client, clock):
    vendor = vendors.register(custos_notification_uri="https://vendor.example/notices")
    agreement = flow.read(flow.tokens(vendor)["access_token"]).get_json()["agreement"]
    from tests.oauth.test_person_vendor import butler

    me = butler(vendors, flow)["access_token"]
    client.post(f"/api/v1/person/grants/{agreement}/revoke", headers=bearer(me))
    configure(app, issuer="https://custos.example")
    counts = jobs.run_jobs_once(app, post=lambda url, **kw: Answer(500))
    assert counts == \
        {"expired": 0, "delivered": 0, "failed": 1, **NO_MAIL}


def test_cli_run_once(tmp_path):
    from click.testing import CliRunner

    from api.cli.jobs import jobs as group

    env = {"CUSTOS_HOME": str(tmp_path / "home"), "CUSTOS_SECRET_KEY": "k" * 40}
    done = CliRunner().invoke(group, ["run-once", "--issuer", "https://custos.example"], env=env)
    assert done.exit_code == 0, done.output
    assert "0 agreements expired, 0 notices delivered, 0 failed; 0 told of overdue vendor " \
        "answers; 0 emails sent (0 daily summaries), 0 failed." in done.output
    refused = CliRunner().invoke(group, ["run-once"], env=env)
    assert refused.exit_code == 2 and "--issuer" in refused.output
