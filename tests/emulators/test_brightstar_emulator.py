#!/usr/bin/env python3
"""Self-test of tests/emulators/brightstar_emulator.py.

Starts the emulator as a subprocess (as the C++ tests do) and checks over real HTTP with
http.client: the seed's validate and check-in examples, every error code with its HTTP status,
the assumptions (check-in error bodies, scanners registered to an event, the optional Bearer
token, EVENT_NOT_STARTED from /checkin only), the generated data, the admin API and every
injectable fault. Standard library only; runs in a few seconds.
"""

import http.client
import json
import socket
import time
import unittest

from emulator_testing import RunningEmulator

SEED_TICKET = "TKT-ABC123-XYZ"


class Running(RunningEmulator):
    """One BrightStar emulator subprocess."""

    def __init__(self, *args):
        super().__init__("brightstar_emulator.py", args)

    def call(self, action, body, **kw):
        status, headers, data = self.request("POST", "/v1/tickets/" + action, body, **kw)
        return status, (json.loads(data) if data else None)


class SeedExamples(unittest.TestCase):
    def test_ready_file_names_the_api_base(self):
        with Running() as emu:
            self.assertEqual(emu.info["url"], "http://127.0.0.1:%d/v1" % emu.info["port"])
            self.assertEqual(emu.info["events"], ["evt_abc123", "evt_later"])
            self.assertIsNone(emu.info["token"])
            self.assertEqual(emu.info["clock"], "2025-07-15T09:30:00Z")

    def test_validate_then_checkin_as_the_seed_shows(self):
        with Running() as emu:
            status, body = emu.call("validate", {"ticket_id": SEED_TICKET, "event_id": "evt_abc123"})
            self.assertEqual(status, 200)
            self.assertEqual(body, {"valid": True, "ticket": {
                "id": SEED_TICKET, "type": "General Admission", "attendee_name": "Jane Doe",
                "checked_in": False, "checked_in_at": None}})
            self.assertEqual(emu.admin("GET", "/counters")["checkins_recorded"], 0)
            status, body = emu.call("checkin", {"ticket_id": SEED_TICKET, "scanner_id": "entrance_main",
                                                "location": {"lat": 34.8697, "lng": -111.7610}})
            self.assertEqual(status, 200)
            self.assertEqual(body, {"success": True, "ticket": {
                "id": SEED_TICKET, "type": "General Admission", "attendee_name": "Jane Doe",
                "checked_in": True, "checked_in_at": "2025-07-15T09:30:00Z"}})
            ticket = emu.admin("GET", "/tickets/" + SEED_TICKET)
            self.assertEqual(ticket["scanner_id"], "entrance_main")
            self.assertEqual(ticket["location"], {"lat": 34.8697, "lng": -111.7610})
            self.assertEqual(ticket["checkins"], 1)
            status, body = emu.call("validate", {"ticket_id": SEED_TICKET})
            self.assertEqual((status, body), (400, {"valid": False, "error": "ALREADY_CHECKED_IN",
                                                    "checked_in_at": "2025-07-15T09:30:00Z"}))
            counters = emu.admin("GET", "/counters")
            self.assertEqual(counters["checkins_recorded"], 1)
            self.assertEqual(counters["validations"], 2)
            self.assertEqual(counters["requests"]["POST /v1/tickets/validate"], 2)

    def test_event_id_and_scanner_are_optional(self):
        with Running() as emu:
            self.assertEqual(emu.call("validate", {"ticket_id": SEED_TICKET})[0], 200)
            self.assertEqual(emu.call("checkin", {"ticket_id": SEED_TICKET})[0], 200)


class ErrorCodes(unittest.TestCase):
    def test_every_code_with_its_status(self):
        with Running() as emu:
            self.assertEqual(emu.call("validate", {"ticket_id": "TKT-NOPE"}),
                             (404, {"valid": False, "error": "INVALID_TICKET"}))
            self.assertEqual(emu.call("checkin", {"ticket_id": "TKT-NOPE"}),
                             (404, {"success": False, "error": "INVALID_TICKET"}))
            self.assertEqual(emu.call("validate", {"ticket_id": SEED_TICKET, "event_id": "evt_later"}),
                             (400, {"valid": False, "error": "WRONG_EVENT"}))
            self.assertEqual(emu.call("validate", {"ticket_id": "TKT-ABC123-0003"}),
                             (400, {"valid": False, "error": "TICKET_CANCELLED"}))
            self.assertEqual(emu.call("checkin", {"ticket_id": "TKT-ABC123-0003"}),
                             (400, {"success": False, "error": "TICKET_CANCELLED"}))
            self.assertEqual(emu.call("validate", {"ticket_id": "TKT-ABC123-0007"}),
                             (400, {"valid": False, "error": "ALREADY_CHECKED_IN",
                                    "checked_in_at": "2025-07-15T09:15:00Z"}))
            self.assertEqual(emu.call("checkin", {"ticket_id": "TKT-ABC123-0007"}),
                             (400, {"success": False, "error": "ALREADY_CHECKED_IN",
                                    "checked_in_at": "2025-07-15T09:15:00Z"}))
            # Not started: a pre-check passes (the seed's advice), the check-in is refused.
            self.assertEqual(emu.call("validate", {"ticket_id": "TKT-LATER-0001"})[0], 200)
            self.assertEqual(emu.call("checkin", {"ticket_id": "TKT-LATER-0001"}),
                             (400, {"success": False, "error": "EVENT_NOT_STARTED"}))
            counters = emu.admin("GET", "/counters")
            self.assertEqual(counters["checkins_recorded"], 0)
            self.assertEqual(counters["refused"]["INVALID_TICKET"], 2)
            self.assertEqual(counters["refused"]["EVENT_NOT_STARTED"], 1)

    def test_scanner_of_another_event_is_wrong_event(self):
        with Running("--scanner", "gate_later=evt_later") as emu:
            self.assertEqual(emu.call("checkin", {"ticket_id": SEED_TICKET, "scanner_id": "gate_later"}),
                             (400, {"success": False, "error": "WRONG_EVENT"}))
            emu.admin("POST", "/scanners", {"scanner_id": "gate_main", "event_id": "evt_abc123"})
            self.assertEqual(emu.call("checkin", {"ticket_id": SEED_TICKET, "scanner_id": "gate_main"})[0], 200)

    def test_clock_opens_the_event(self):
        with Running() as emu:
            self.assertEqual(emu.call("checkin", {"ticket_id": "TKT-LATER-0001"})[1]["error"], "EVENT_NOT_STARTED")
            self.assertEqual(emu.admin("POST", "/clock", {"now": "2025-07-20T18:00:00Z"}), {"now": "2025-07-20T18:00:00Z"})
            status, body = emu.call("checkin", {"ticket_id": "TKT-LATER-0001"})
            self.assertEqual(status, 200)
            self.assertEqual(body["ticket"]["checked_in_at"], "2025-07-20T18:00:00Z")
            self.assertEqual(emu.admin("POST", "/clock", {"advance_seconds": 60})["now"], "2025-07-20T18:01:00Z")

    def test_bad_requests(self):
        with Running() as emu:
            for raw in (b"not json", b"[]", b'{"ticket_id": 5}', b'{"ticket_id": ""}',
                        b'{"ticket_id": "x", "location": {"lat": "north"}}', b'{"ticket_id": "x", "scanner_id": 3}'):
                status, _, data = emu.request("POST", "/v1/tickets/checkin", raw=raw)
                self.assertEqual(status, 400, raw)
                self.assertEqual(json.loads(data)["error"], "INVALID_REQUEST")
            self.assertEqual(emu.request("GET", "/v1/tickets/validate")[0], 405)
            self.assertEqual(emu.request("POST", "/v1/tickets/lookup", {})[0], 404)


class Authentication(unittest.TestCase):
    def test_open_without_token_and_bearer_required_with_one(self):
        with Running() as emu:
            self.assertEqual(emu.call("validate", {"ticket_id": SEED_TICKET},
                                      headers={"Authorization": "Bearer anything"})[0], 200)
        with Running("--token", "s3cret") as emu:
            self.assertEqual(emu.info["token"], "s3cret")
            status, _, data = emu.request("POST", "/v1/tickets/validate", {"ticket_id": SEED_TICKET})
            self.assertEqual(status, 401)
            self.assertEqual(json.loads(data)["error"], "UNAUTHORIZED")
            self.assertEqual(emu.call("validate", {"ticket_id": SEED_TICKET},
                                      headers={"Authorization": "Bearer wrong"})[0], 401)
            self.assertEqual(emu.call("validate", {"ticket_id": SEED_TICKET},
                                      headers={"Authorization": "Bearer s3cret"})[0], 200)


class GeneratedData(unittest.TestCase):
    def test_names_in_several_scripts_cancelled_and_checked_in(self):
        with Running("--tickets", "12") as emu:
            tickets = emu.admin("GET", "/tickets?event=evt_abc123")["tickets"]
            self.assertEqual(len(tickets), 13)
            names = "".join(t["attendee_name"] for t in tickets)
            for first, last in ((0x0400, 0x04FF), (0x0600, 0x06FF), (0x0590, 0x05FF), (0x4E00, 0x9FFF), (0xC0, 0xFF)):
                self.assertTrue(any(first <= ord(c) <= last for c in names), hex(first))
            self.assertTrue(any(t["cancelled"] for t in tickets))
            self.assertTrue(any(t["checked_in"] for t in tickets))

    def test_admin_adds_and_cancels_tickets(self):
        with Running() as emu:
            made = emu.admin("POST", "/tickets", {"id": "TKT-NEW", "event_id": "evt_abc123", "type": "VIP",
                                                  "attendee_name": "Ханна Шмидт"})
            self.assertEqual(made["tickets"][0]["id"], "TKT-NEW")
            status, body = emu.call("validate", {"ticket_id": "TKT-NEW"})
            self.assertEqual((status, body["ticket"]["attendee_name"]), (200, "Ханна Шмидт"))
            emu.admin("POST", "/tickets/TKT-NEW/cancel")
            self.assertEqual(emu.call("checkin", {"ticket_id": "TKT-NEW"})[1]["error"], "TICKET_CANCELLED")
            log = emu.admin("GET", "/requests")["results"]
            self.assertEqual([r["path"] for r in log], ["/v1/tickets/validate", "/v1/tickets/checkin"])


class Faults(unittest.TestCase):
    def fault(self, emu, **spec):
        spec.setdefault("path", "/v1/tickets/checkin")
        emu.admin("POST", "/faults", spec)

    def test_status_rate_limit_unauthorized_empty_and_portal(self):
        with Running() as emu:
            self.fault(emu, kind="status", status=503)
            status, headers, data = emu.request("POST", "/v1/tickets/checkin", {"ticket_id": SEED_TICKET})
            self.assertEqual(status, 503)
            self.assertIn(b"<html>", data)
            self.fault(emu, kind="status", status=400, body={"valid": False, "error": "TICKET_SUSPENDED"})
            self.assertEqual(emu.call("checkin", {"ticket_id": SEED_TICKET}), (400, {"valid": False, "error": "TICKET_SUSPENDED"}))
            self.fault(emu, kind="rate_limit", retry_after=7)
            status, headers, _ = emu.request("POST", "/v1/tickets/checkin", {"ticket_id": SEED_TICKET})
            self.assertEqual((status, headers["Retry-After"]), (429, "7"))
            self.fault(emu, kind="unauthorized")
            self.assertEqual(emu.request("POST", "/v1/tickets/checkin", {"ticket_id": SEED_TICKET})[0], 401)
            self.fault(emu, kind="empty")
            status, _, data = emu.request("POST", "/v1/tickets/checkin", {"ticket_id": SEED_TICKET})
            self.assertEqual((status, data), (200, b""))
            self.fault(emu, kind="content_type")
            status, headers, data = emu.request("POST", "/v1/tickets/checkin", {"ticket_id": SEED_TICKET})
            self.assertEqual(status, 200)
            self.assertTrue(headers["Content-Type"].startswith("text/html"))
            counters = emu.admin("GET", "/counters")
            self.assertEqual(counters["checkins_recorded"], 0)
            self.assertEqual(len(counters["faults_fired"]), 6)
            self.assertEqual(emu.call("checkin", {"ticket_id": SEED_TICKET})[0], 200)

    def test_truncate_and_reset_record_the_checkin_and_lose_the_answer(self):
        with Running() as emu:
            self.fault(emu, kind="truncate")
            status, _, data = emu.request("POST", "/v1/tickets/checkin", {"ticket_id": SEED_TICKET})
            self.assertEqual(status, 200)
            self.assertRaises(ValueError, json.loads, data)
            self.fault(emu, kind="reset", path="/v1/tickets/validate")
            with self.assertRaises((ConnectionError, http.client.HTTPException, socket.error)):
                emu.request("POST", "/v1/tickets/validate", {"ticket_id": SEED_TICKET})
            self.assertEqual(emu.admin("GET", "/counters")["checkins_recorded"], 1)

    def test_slow_then_normal(self):
        with Running() as emu:
            self.fault(emu, kind="slow", seconds=0.2)
            start = time.monotonic()
            self.assertEqual(emu.call("checkin", {"ticket_id": SEED_TICKET})[0], 200)
            self.assertGreaterEqual(time.monotonic() - start, 0.2)

    def test_reset_brings_back_the_start(self):
        with Running() as emu:
            emu.admin("POST", "/clock", {"now": "2025-08-01T00:00:00Z"})
            emu.admin("POST", "/tickets", {"id": "TKT-NEW", "event_id": "evt_abc123"})
            self.assertEqual(emu.call("checkin", {"ticket_id": SEED_TICKET})[0], 200)
            self.fault(emu, kind="status")
            emu.admin("POST", "/reset")
            self.assertEqual(emu.admin("GET", "/clock"), {"now": "2025-07-15T09:30:00Z"})
            self.assertEqual(emu.admin("GET", "/faults")["faults"], [])
            self.assertEqual(emu.admin("GET", "/counters")["checkins_recorded"], 0)
            self.assertEqual(emu.admin("GET", "/requests")["count"], 0)
            self.assertEqual(emu.call("validate", {"ticket_id": "TKT-NEW"})[0], 404)
            self.assertEqual(emu.call("checkin", {"ticket_id": SEED_TICKET})[0], 200)

    def test_fault_list_and_clear(self):
        with Running() as emu:
            self.fault(emu, kind="status", count=3)
            self.assertEqual(len(emu.admin("GET", "/faults")["faults"]), 1)
            emu.admin("DELETE", "/faults")
            self.assertEqual(emu.call("checkin", {"ticket_id": SEED_TICKET})[0], 200)
            status, _, _ = emu.request("POST", "/_emulator/faults", {"kind": "nonsense"},
                                       headers={"Authorization": "Bearer " + emu.info["admin_token"]})
            self.assertEqual(status, 400)
            self.assertEqual(emu.request("GET", "/_emulator/counters")[0], 401)


if __name__ == "__main__":
    unittest.main()
