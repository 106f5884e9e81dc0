#!/usr/bin/env python3
"""Self-test of tests/emulators/constantcontact_emulator.py.

Starts the emulator as a subprocess (as the C++ tests do) and checks over real HTTP with
http.client: the seed's check-in and undo requests, the Bearer token, the error arrays, batches
as all-or-nothing, event and ticket statuses, idempotent repeats, the admin API, every injectable
fault. Standard library only; runs in a few seconds.
"""

import http.client
import json
import socket
import time
import unittest

from emulator_testing import RunningEmulator

SEED_EVENT = "07216444-4e3b-41ea-a3b8-5a418fce41f4"


class Running(RunningEmulator):
    """One Constant Contact emulator subprocess."""

    def __init__(self, *args):
        super().__init__("constantcontact_emulator.py", args)

    def request(self, method, path, body=None, headers=None, token=True, raw=None, timeout=10):
        """token: True sends the emulator's access token, a text that Authorization header, a false
        value none."""
        auth = {"Authorization": "Bearer " + self.info["token"]} if token is True else {"Authorization": token} if token else {}
        return super().request(method, path, body, dict(auth, **(headers or {})), raw, timeout)

    def check_in(self, keys, event=SEED_EVENT, undo=False, **kw):
        action = "undo_check_in" if undo else "check_in"
        return self.request("POST", "/v3/events/%s/%s/tickets" % (event, action), {"order_ticket_keys": keys}, **kw)


class SeedExamples(unittest.TestCase):
    def test_ready_file_and_seed_data(self):
        with Running() as emu:
            self.assertEqual(emu.info["url"], "http://127.0.0.1:%d/v3" % emu.info["port"])
            self.assertEqual(emu.info["events"], [SEED_EVENT])
            self.assertEqual(emu.admin("GET", "/events/%s" % SEED_EVENT)["status"], "ACTIVE")

    def test_check_in_and_undo_exactly_as_the_seed(self):
        with Running() as emu:
            raw = b'{\n"order_ticket_keys": ["a1b2c3", "d4e5f6"]\n}'
            status, headers, body = emu.request("POST", "/v3/events/%s/check_in/tickets" % SEED_EVENT, raw=raw)
            self.assertEqual((status, body), (204, b""))
            for key in ("a1b2c3", "d4e5f6"):
                ticket = emu.admin("GET", "/events/%s/tickets/%s" % (SEED_EVENT, key))
                self.assertTrue(ticket["checked_in"])
                self.assertEqual(ticket["check_ins"], 1)
            status, _, body = emu.request("POST", "/v3/events/%s/undo_check_in/tickets" % SEED_EVENT, raw=raw)
            self.assertEqual((status, body), (204, b""))
            self.assertFalse(emu.admin("GET", "/events/%s/tickets/a1b2c3" % SEED_EVENT)["checked_in"])
            counters = emu.admin("GET", "/counters")
            self.assertEqual(counters["check_in_requests"], 1)
            self.assertEqual(counters["undo_requests"], 1)
            self.assertEqual(counters["keys_checked_in"], 2)
            self.assertEqual(counters["keys_undone"], 2)
            self.assertEqual(counters["batch_sizes"], [2, 2])
            recorded = emu.admin("GET", "/requests")["results"][0]
            self.assertEqual(recorded["authorization"], "Bearer " + emu.info["token"])
            self.assertEqual(recorded["content_type"], "application/json")
            self.assertEqual(json.loads(recorded["body"]), {"order_ticket_keys": ["a1b2c3", "d4e5f6"]})


class Refusals(unittest.TestCase):
    def error_of(self, status_body, status):
        got, _, body = status_body
        self.assertEqual(got, status, body)
        errors = json.loads(body)
        self.assertIsInstance(errors, list)
        for entry in errors:
            self.assertIsInstance(entry["error_key"], str)
            self.assertIsInstance(entry["error_message"], str)
        return errors

    def test_token(self):
        with Running("--token", "tok-1") as emu:
            for token in (None, "Bearer wrong", "Token tok-1", "tok-1"):
                errors = self.error_of(emu.check_in(["a1b2c3"], token=token), 401)
                self.assertEqual(errors[0]["error_key"], "unauthorized")
            self.assertEqual(emu.check_in(["a1b2c3"], token="Bearer tok-1")[0], 204)

    def test_event_status(self):
        with Running("--event", "ev-draft=DRAFT", "--event", "ev-cancel=CANCELLED", "--event", "ev-done=COMPLETE",
                     "--ticket", "ev-draft:t1", "--ticket", "ev-cancel:t1", "--ticket", "ev-done:t1") as emu:
            for event in ("ev-draft", "ev-cancel"):
                for undo in (False, True):
                    errors = self.error_of(emu.check_in(["t1"], event=event, undo=undo), 400)
                    self.assertEqual([e["error_key"] for e in errors], ["events.api.event.status.invalid"])
            self.assertEqual(emu.check_in(["t1"], event="ev-done")[0], 204)
            self.assertFalse(emu.admin("GET", "/events/ev-draft/tickets/t1")["checked_in"])
            emu.admin("PATCH", "/events/ev-draft", {"status": "ACTIVE"})
            self.assertEqual(emu.check_in(["t1"], event="ev-draft")[0], 204)

    def test_unknown_event_and_validation(self):
        with Running() as emu:
            errors = self.error_of(emu.check_in(["a1b2c3"], event="nope"), 404)
            self.assertEqual(errors[0]["error_key"], "events.api.event.not_found")
            path = "/v3/events/%s/check_in/tickets" % SEED_EVENT
            for raw in (b"not json", b"{}", b'{"order_ticket_keys": "a1b2c3"}', b'{"order_ticket_keys": []}',
                        b'{"order_ticket_keys": [1]}'):
                errors = self.error_of(emu.request("POST", path, raw=raw), 400)
                self.assertEqual(errors[0]["error_key"], "events.api.validation.error")
            errors = self.error_of(emu.request("POST", path, {"order_ticket_keys": ["a1b2c3"]},
                                               headers={"Content-Type": "text/plain"}), 415)
            self.assertEqual(emu.admin("GET", "/counters")["keys_checked_in"], 0)

    def test_batch_with_one_bad_key_applies_nothing(self):
        with Running("--event", "ev=ACTIVE", "--ticket", "ev:good1", "--ticket", "ev:gone=CANCELLED",
                     "--ticket", "ev:good2") as emu:
            errors = self.error_of(emu.check_in(["good1", "gone", "nosuch", "good2"], event="ev"), 400)
            self.assertEqual([e["error_key"] for e in errors], ["events.api.ticket.cancelled", "events.api.ticket.not_found"])
            self.assertIn("gone", errors[0]["error_message"])
            self.assertIn("nosuch", errors[1]["error_message"])
            self.assertFalse(emu.admin("GET", "/events/ev/tickets/good1")["checked_in"])
            self.assertEqual(emu.check_in(["good1", "good2"], event="ev")[0], 204)
            counters = emu.admin("GET", "/counters")
            self.assertEqual(counters["refused"], {"events.api.ticket.cancelled": 1, "events.api.ticket.not_found": 1})
            self.assertEqual(counters["keys_checked_in"], 2)

    def test_repeats_are_idempotent_and_undo_ignores_ticket_status(self):
        with Running("--event", "ev", "--ticket", "ev:t1", "--ticket", "ev:t2=CANCELLED") as emu:
            self.assertEqual(emu.check_in(["t1"], event="ev")[0], 204)
            self.assertEqual(emu.check_in(["t1"], event="ev")[0], 204)
            self.assertEqual(emu.check_in(["t1", "t2"], event="ev", undo=True)[0], 204)
            counters = emu.admin("GET", "/counters")
            self.assertEqual((counters["keys_checked_in"], counters["keys_already"]), (1, 1))
            self.assertEqual((counters["keys_undone"], counters["keys_not_in"]), (1, 1))
            self.assertEqual(emu.check_in(["zz"], event="ev", undo=True)[0], 400)


class Admin(unittest.TestCase):
    def test_events_and_tickets(self):
        with Running("--tickets", "3") as emu:
            self.assertEqual(len(emu.admin("GET", "/events/%s/tickets" % SEED_EVENT)["tickets"]), 5)
            event = emu.admin("POST", "/events", {"status": "DRAFT"})
            made = emu.admin("POST", "/events/%s/tickets" % event["id"], {"count": 2})["tickets"]
            self.assertEqual(len(made), 2)
            one = emu.admin("POST", "/events/%s/tickets" % event["id"], {"key": "mine", "status": "CANCELLED"})
            self.assertEqual(one["tickets"][0]["key"], "mine")
            emu.admin("PATCH", "/events/%s/tickets/mine" % event["id"], {"status": "ACTIVE", "checked_in": True})
            self.assertTrue(emu.admin("GET", "/events/%s/tickets/mine" % event["id"])["checked_in"])
            status, _, _ = emu.request("GET", "/_emulator/info", token="Bearer wrong")
            self.assertEqual(status, 401)
            emu.check_in(["a1b2c3"])
            emu.admin("POST", "/counters/reset")
            self.assertEqual(emu.admin("GET", "/counters")["check_in_requests"], 0)


class Faults(unittest.TestCase):
    PATH = "/v3/events/%s/check_in/tickets" % SEED_EVENT

    def fault(self, emu, **spec):
        spec.setdefault("path", "/v3/")
        return emu.admin("POST", "/faults", spec)

    def test_status_rate_limit_unauthorized(self):
        with Running() as emu:
            self.fault(emu, kind="status", status=503)
            status, headers, body = emu.check_in(["a1b2c3"])
            self.assertEqual(status, 503)
            self.assertIn(b"Server Error", body)
            self.fault(emu, kind="rate_limit", retry_after=7)
            status, headers, _ = emu.check_in(["a1b2c3"])
            self.assertEqual((status, headers.get("Retry-After")), (429, "7"))
            self.fault(emu, kind="unauthorized")
            self.assertEqual(emu.check_in(["a1b2c3"])[0], 401)
            self.assertFalse(emu.admin("GET", "/events/%s/tickets/a1b2c3" % SEED_EVENT)["checked_in"])
            self.assertEqual(emu.check_in(["a1b2c3"])[0], 204)
            self.assertEqual(len(emu.admin("GET", "/faults")["fired"]), 3)

    def test_content_type_truncate_and_slow(self):
        with Running() as emu:
            self.fault(emu, kind="content_type")
            status, headers, body = emu.check_in(["a1b2c3"])
            self.assertEqual(status, 200)
            self.assertTrue(headers["Content-Type"].startswith("text/html"))
            self.assertFalse(emu.admin("GET", "/events/%s/tickets/a1b2c3" % SEED_EVENT)["checked_in"])
            self.fault(emu, kind="truncate")
            status, _, body = emu.check_in(["a1b2c3"])
            self.assertEqual(status, 200)
            with self.assertRaises(ValueError):
                json.loads(body)
            self.assertTrue(emu.admin("GET", "/events/%s/tickets/a1b2c3" % SEED_EVENT)["checked_in"])
            self.fault(emu, kind="truncate")
            status, _, body = emu.check_in(["nosuch"])
            self.assertEqual(status, 400)
            with self.assertRaises(ValueError):
                json.loads(body)
            self.fault(emu, kind="slow", seconds=0.3)
            started = time.monotonic()
            self.assertEqual(emu.check_in(["d4e5f6"])[0], 204)
            self.assertGreaterEqual(time.monotonic() - started, 0.3)

    def test_reset_after_processing(self):
        with Running() as emu:
            self.fault(emu, kind="reset")
            with self.assertRaises((ConnectionError, http.client.HTTPException, socket.error)):
                emu.check_in(["a1b2c3"])
            self.assertTrue(emu.admin("GET", "/events/%s/tickets/a1b2c3" % SEED_EVENT)["checked_in"])
            self.fault(emu, kind="status", status=500, count=2, skip=1, method="POST")
            self.assertEqual(emu.check_in(["a1b2c3"])[0], 204)
            self.assertEqual(emu.check_in(["a1b2c3"])[0], 500)
            emu.admin("DELETE", "/faults")
            self.assertEqual(emu.check_in(["a1b2c3"])[0], 204)


if __name__ == "__main__":
    unittest.main()
