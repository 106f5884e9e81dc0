#!/usr/bin/env python3
"""Self-test of tests/emulators/oveit_emulator.py.

Starts the emulator as a subprocess (as the C++ tests do) and checks over real HTTP with
http.client: the seed's list, check-in and scan answers exactly, form fields and JSON, the token
(parameter and Bearer), every refusal, multiple access (each addon its own entry), RFID codes,
generated events of 10,000 tickets, the admin API and the injectable faults. Standard library
only; runs in a few seconds.
"""

import http.client
import json
import os
import time
import unittest
from urllib.parse import urlencode

from emulator_testing import RunningEmulator

HERE = os.path.dirname(os.path.abspath(__file__))
TOKEN = "f18bf1bf246affb8"
SEED = os.path.join(HERE, "..", "..", "..", "shared", "seeds", "003_f6fed5afae64980c.txt")

SEED_LIST = {"tickets": [
    {"code": "39fa317d", "ticket_type_id": 123, "checked_in": False, "checkins": []},
    {"code": "7cd58203", "ticket_type_id": 123, "checked_in": True,
     "checkins": [{"addon_id": 5, "date": "2016-08-10T11:49:18+00:00"}, {"addon_id": None, "date": "2016-08-10T11:49:18+00:00"}]},
]}
SEED_CHECKIN = {
    "ok": True, "ticket": {"code": "6c388d60", "series": "ABC 123"}, "ticket_type": {"id": 123, "name": "VIP area"},
    "event": {"id": 100, "name": "Indila concert", "starts_at": "2016-08-24T01:30:00+00:00", "location": "Romexpo"},
    "order": {"id": 15, "name": "John Doe", "date": "2016-08-24T01:30:00+00:00"},
    "checkins": [{"addon_id": 5, "date": "2016-09-10T11:49:18+00:00"}, {"addon_id": None, "date": "2016-09-10T11:49:18+00:00"}],
    "attendee": {"fields": [{"name": "Name", "type": "text", "is_mandatory": True},
                            {"name": "Email", "type": "email", "is_mandatory": False}],
                 "values": ["John Doe", "john@example.com"]},
    "rfid_codes": [{"code": "659891", "date": "2017-01-04T07:53:07+00:00"}, {"code": "352623", "date": "2017-03-16T09:53:51+00:00"}],
}


class Running(RunningEmulator):
    """One Oveit emulator subprocess."""

    def __init__(self, *args):
        super().__init__("oveit_emulator.py", args)

    def form(self, path, **fields):
        fields.setdefault("token", TOKEN)
        status, headers, data = self.request("POST", path, raw=urlencode(fields).encode(),
                                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        return status, (json.loads(data) if data else None)


class SeedExamples(unittest.TestCase):
    def test_list_checkin_and_scan_exactly_as_the_seed(self):
        with Running("--token", TOKEN) as emu:
            self.assertEqual(emu.info["url"], "http://127.0.0.1:%d/api" % emu.info["port"])
            status, listed = emu.form("/api/events/tickets", id="100")
            self.assertEqual(status, 200)
            self.assertEqual(listed["tickets"][:2], SEED_LIST["tickets"])
            status, scanned = emu.form("/api/tickets/scan", ticket_code="6c388d60")
            self.assertEqual(scanned, dict(SEED_CHECKIN, checkins=SEED_CHECKIN["checkins"][:1]))
            status, answer = emu.form("/api/tickets/checkin", ticket_code="6c388d60")
            self.assertEqual((status, answer), (200, SEED_CHECKIN))
            self.assertEqual(emu.admin("GET", "/counters")["checkins_recorded"], 1)
            if os.path.exists(SEED):     # the seed's own text, where the shared folder is present
                with open(SEED, encoding="utf-8") as f:
                    self.assertIn('"code": "6c388d60"', f.read())

    def test_json_body_deprecated_code_and_bearer_token(self):
        with Running("--token", TOKEN) as emu:
            status, _, data = emu.request("POST", "/api/tickets/scan", {"token": TOKEN, "code": "39fa317d"})
            self.assertEqual(json.loads(data)["ticket"]["code"], "39fa317d")
            status, _, data = emu.request("POST", "/api/tickets/scan", {"ticket_code": "39fa317d"},
                                           headers={"Authorization": "Bearer " + TOKEN})
            self.assertEqual(status, 200)
            request = emu.admin("GET", "/requests")["results"][0]
            self.assertEqual(request["params"]["token"], "***")


class Refusals(unittest.TestCase):
    def test_errors_as_oveit_documents_them(self):
        with Running("--token", TOKEN) as emu:
            self.assertEqual(emu.form("/api/tickets/checkin", token="nope", ticket_code="39fa317d"),
                             (403, {"error": "Invalid or expired token"}))
            self.assertEqual(emu.form("/api/tickets/checkin", ticket_code="zzz"), (200, {"error": "This ticket does not exist"}))
            self.assertEqual(emu.form("/api/tickets/checkin"), (200, {"error": "Missing ticket code"}))
            self.assertEqual(emu.form("/api/tickets/checkin", ticket_code="7cd58203"),
                             (200, {"error": "This ticket has already been checked in"}))
            self.assertEqual(emu.form("/api/tickets/checkin", ticket_code="39fa317d", ticket_type_id="9"),
                             (200, {"error": "This ticket type does not grant access here"}))
            self.assertEqual(emu.form("/api/tickets/checkin", ticket_code="39fa317d", addon_id="9"),
                             (200, {"error": "This ticket does not include this addon"}))
            self.assertEqual(emu.form("/api/events/tickets", id="5"), (200, {"error": "This event does not exist"}))
            emu.admin("DELETE", "/events/100/tickets/39fa317d")
            self.assertEqual(emu.form("/api/tickets/checkin", ticket_code="39fa317d"),
                             (200, {"error": "This ticket has been cancelled"}))
            self.assertNotIn("39fa317d", [t["code"] for t in emu.form("/api/events/tickets", id="100")[1]["tickets"]])
            self.assertEqual(emu.admin("GET", "/counters")["checkins_recorded"], 0)

    def test_each_addon_is_its_own_entry_and_rfid_finds_the_ticket(self):
        with Running("--token", TOKEN) as emu:
            self.assertTrue(emu.form("/api/tickets/checkin", ticket_code="39fa317d", addon_id="5")[1]["ok"])
            self.assertTrue(emu.form("/api/tickets/checkin", ticket_code="39fa317d")[1]["ok"])
            self.assertIn("error", emu.form("/api/tickets/checkin", ticket_code="39fa317d", addon_id="5")[1])
            listed = emu.form("/api/events/tickets", id="100")[1]["tickets"][0]
            self.assertTrue(listed["checked_in"])
            self.assertEqual([c["addon_id"] for c in listed["checkins"]], [5, None])
            self.assertEqual(emu.form("/api/tickets/checkin", rfid_code="659891")[1]["ticket"]["code"], "6c388d60")
            self.assertEqual(emu.admin("GET", "/counters")["checkins_by_entry"], {"5": 1, "main": 2})


class Data(unittest.TestCase):
    def test_ten_thousand_tickets_listed_fast(self):
        with Running("--token", TOKEN, "--events", "1", "--tickets", "10000") as emu:
            started = time.monotonic()
            status, listed = emu.form("/api/events/tickets", id="1001")
            self.assertEqual(len(listed["tickets"]), 10000)
            self.assertLess(time.monotonic() - started, 10)     # generous: a loaded CI machine
            codes = emu.admin("GET", "/events/1001/tickets")
            self.assertEqual(len(set(codes["codes"])), 10000)
            self.assertEqual(len(codes["rfid_codes"]), 2000)
            first = emu.form("/api/tickets/scan", ticket_code=codes["codes"][0])[1]
            self.assertTrue(first["attendee"]["values"][0])
            self.assertEqual(sum(1 for t in listed["tickets"] if t["checked_in"]), 10000 // 7)

    def test_admin_changes_show_in_the_list(self):
        with Running("--token", TOKEN) as emu:
            emu.admin("PATCH", "/events/100/tickets/39fa317d", {"checkins": [{"addon_id": None, "date": "2016-09-10T10:00:00+00:00"}]})
            emu.admin("POST", "/events/100/tickets", {"code": "abcd0001", "ticket_type_id": 123, "rfid_codes": ["77"]})
            emu.admin("POST", "/events/100/raw_tickets", {"entries": [17]})
            emu.admin("POST", "/clock", {"advance_seconds": 60})
            listed = emu.form("/api/events/tickets", id="100")[1]["tickets"]
            self.assertTrue(listed[0]["checked_in"])
            self.assertEqual(listed[-2]["code"], "abcd0001")
            self.assertEqual(listed[-1], 17)
            answer = emu.form("/api/tickets/checkin", rfid_code="77")[1]
            self.assertEqual(answer["checkins"], [{"addon_id": None, "date": "2016-09-10T11:50:18+00:00"}])


class Faults(unittest.TestCase):
    def test_fault_kinds(self):
        with Running("--token", TOKEN) as emu:
            def fault(**spec):
                emu.admin("DELETE", "/faults")
                emu.admin("POST", "/faults", dict(spec, path="/api/tickets/scan"))
                return emu.request("POST", "/api/tickets/scan", {"token": TOKEN, "ticket_code": "39fa317d"})
            self.assertEqual(fault(kind="status", status=500)[0], 500)
            status, headers, _ = fault(kind="rate_limit", retry_after=7)
            self.assertEqual((status, headers.get("Retry-After")), (429, "7"))
            status, headers, body = fault(kind="content_type")
            self.assertIn("text/html", headers["Content-Type"])
            self.assertEqual(fault(kind="empty")[2], b"")
            self.assertEqual(json.loads(fault(kind="wrong_types")[2]), {"ok": "yes", "ticket": 7})
            self.assertEqual(fault(kind="unauthorized")[0], 403)
            with self.assertRaises(ValueError):
                json.loads(fault(kind="truncate")[2])
            with self.assertRaises((http.client.HTTPException, ConnectionError, OSError)):
                fault(kind="reset")
            self.assertEqual(emu.request("POST", "/api/tickets/scan", {"token": TOKEN, "ticket_code": "39fa317d"})[0], 200)
            self.assertGreaterEqual(len(emu.admin("GET", "/counters")["faults_fired"]), 8)


if __name__ == "__main__":
    unittest.main()
