#!/usr/bin/env python3
"""Self-test of tests/emulators/pretix_emulator.py.

Starts the emulator as a subprocess (as the C++ tests do) and checks every feature over real HTTP
with urllib: resources and their shapes, the demo directory served verbatim, pagination,
incremental sync (modified_since, created_since, updated_since, If-Modified-Since), auth and device
initialisation, redeem / annul / failed scans with nonce deduplication, search and list status,
uploads, every injectable fault, the admin API, persistence across a SIGKILL, signed tickets.
Standard library only; runs in well under 30 s.
"""

import base64
import gzip
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EMULATOR = os.path.join(HERE, "pretix_emulator.py")
DEMO = os.path.join(ROOT, "assets", "demo")

sys.path.insert(0, HERE)
import pretix_emulator as pe  # noqa: E402  (only for the Ed25519 check of signed tickets)
from emulator_testing import RunningEmulator  # noqa: E402


class Running(RunningEmulator):
    """One pretix emulator subprocess (--state-dir when given; stopped by the tests themselves)."""

    def __init__(self, *args, state_dir=None, port=0):
        super().__init__("pretix_emulator.py", args, port=port, exit_with_parent=False)
        self.state_dir = state_dir

    def command(self, ready):
        return super().command(ready) + (["--state-dir", self.state_dir] if self.state_dir else [])

    def start(self, timeout=20.0):
        super().start(timeout)
        self.base = "http://127.0.0.1:%d" % self.info["port"]
        return self

    # --- HTTP ---------------------------------------------------------------------------------------

    def request(self, method, path, body=None, *, auth="team", headers=None, raw_body=None):
        url = path if path.startswith("http") else self.base + path
        hdrs = dict(headers or {})
        if auth == "team":
            hdrs["Authorization"] = "Token " + self.info["team_token"]
        elif auth == "admin":
            hdrs["Authorization"] = "Bearer " + self.info["admin_token"]
        elif isinstance(auth, str) and auth.startswith("device:"):
            hdrs["Authorization"] = "Device " + auth[7:]
        data = raw_body
        if body is not None:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.headers, err.read()

    def json(self, method, path, body=None, expect=None, **kw):
        status, headers, data = self.request(method, path, body, **kw)
        if expect is not None and status != expect:
            raise AssertionError("%s %s -> %d (expected %d): %s" % (method, path, status, expect, data[:500]))
        return status, headers, (json.loads(data) if data else None)

    def get(self, path, **kw):
        return self.json("GET", path, expect=200, **kw)[2]

    def admin(self, method, path, body=None, expect=None):
        return self.json(method, "/_emulator" + path, body, expect=expect, auth="admin")[2]

    def api(self, path):
        return "/api/v1/organizers/%s%s" % (self.info["organizer"], path)

    def all_pages(self, path, **kw):
        results, url = [], path
        while url:
            page = self.get(url, **kw)
            results += page["results"]
            url = page["next"]
        return results


def redeem_body(secret, list_id, at=None, **extra):
    body = {"secret": secret, "source_type": "barcode", "lists": [list_id], "type": "entry", "force": False,
            "questions_supported": True, "nonce": extra.pop("nonce", None) or os.urandom(8).hex()}
    if at:
        body["datetime"] = at
    body.update(extra)
    return body


class EmulatorTest(unittest.TestCase):
    """One emulator with two generated events and the demo directory, shared by the tests below."""

    @classmethod
    def setUpClass(cls):
        cls.emu = Running("--events", "2", "--positions", "400", "--seed", "7", "--load", DEMO).start()

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    # --- start-up, auth, devices ----------------------------------------------------------------------

    def test_ready_file(self):
        info = self.emu.info
        for key in ("port", "url", "admin_token", "team_token", "init_token", "organizer", "events", "pid"):
            self.assertIn(key, info)
        self.assertGreater(info["port"], 0)
        self.assertEqual(info["events"], ["event1", "event2", "kioskconf27"])
        self.assertEqual(info["organizer"], "demo")

    def test_auth(self):
        emu = self.emu
        path = emu.api("/events/event1/items/")
        status, headers, body = emu.json("GET", path, auth=None)
        self.assertEqual((status, body["detail"]), (401, "Authentication credentials were not provided."))
        status, _, body = emu.json("GET", path, auth=None, headers={"Authorization": "Token nope"})
        self.assertEqual((status, body["detail"]), (401, "Invalid token."))
        status, _, body = emu.json("GET", path, auth=None, headers={"Authorization": "Device nope"})
        self.assertEqual(status, 401)
        self.assertEqual(emu.json("GET", path)[0], 200)
        self.assertEqual(emu.json("GET", "/api/v1/organizers/other/events/event1/items/")[0], 403)
        self.assertEqual(emu.json("GET", emu.api("/events/nosuch/items/"))[0], 403)
        self.assertEqual(emu.json("GET", emu.api("/events/event1/nosuch/"))[0], 404)
        limited = emu.admin("POST", "/teamtokens", {"events": ["event2"]}, expect=201)["token"]
        self.assertEqual(emu.json("GET", path, auth=None, headers={"Authorization": "Token " + limited})[0], 403)
        emu.admin("POST", "/teamtokens/%s/revoke" % limited, {})
        self.assertEqual(emu.json("GET", emu.api("/events/event2/items/"), auth=None,
                                  headers={"Authorization": "Token " + limited})[0], 401)

    def initialize(self, token):
        return self.emu.json("POST", "/api/v1/device/initialize", {
            "token": token, "hardware_brand": "Kiosk", "hardware_model": "K1", "os_name": "Debian",
            "os_version": "12", "software_brand": "kiosk", "software_version": "0.1"}, auth=None)

    def new_device(self, **kw):
        device = self.emu.admin("POST", "/devices", dict(name="test", **kw), expect=201)
        status, _, body = self.initialize(device["init_token"])
        self.assertEqual(status, 200, body)
        return body

    def test_device_initialization(self):
        emu = self.emu
        device = emu.admin("POST", "/devices", {"name": "Door 2", "gate": "North"}, expect=201)
        self.assertEqual(device["handshake"]["handshake_version"], 1)
        status, _, body = self.initialize(device["init_token"])
        self.assertEqual(status, 200, body)
        for key in ("organizer", "device_id", "unique_serial", "api_token", "name", "gate"):
            self.assertIn(key, body)
        self.assertEqual(body["organizer"], "demo")
        self.assertEqual(body["gate"]["name"], "North")
        status, _, again = self.initialize(device["init_token"])
        self.assertEqual((status, again), (400, {"token": ["This initialization token has already been used."]}))
        status, _, unknown = self.initialize("doesnotexist")
        self.assertEqual((status, unknown), (400, {"token": ["Unknown initialization token."]}))
        status, _, missing = emu.json("POST", "/api/v1/device/initialize", {"token": "x"}, auth=None)
        self.assertEqual(status, 400)
        self.assertIn("hardware_brand", missing)
        token = "device:" + body["api_token"]
        self.assertEqual(emu.json("GET", emu.api("/events/event1/"), auth=token)[0], 200)
        info = emu.get("/api/v1/device/info", auth=token)
        self.assertEqual(info["device"]["device_id"], body["device_id"])
        emu.admin("POST", "/devices/%d/revoke" % body["device_id"], {})
        status, _, revoked = emu.json("GET", emu.api("/events/event1/"), auth=token)
        self.assertEqual((status, revoked["detail"]), (401, "Device access has been revoked."))

    def test_preprovisioned_init_token(self):
        # the ready file's init token belongs to a device that was made at start-up
        devices = self.emu.admin("GET", "/devices")["devices"]
        self.assertIn(self.emu.info["init_token"], [d["init_token"] for d in devices])

    # --- resources ------------------------------------------------------------------------------------

    def test_event_and_signing_key(self):
        event = self.emu.get(self.emu.api("/events/event1/"))
        for key in ("slug", "name", "date_from", "date_to", "date_admission", "timezone", "has_subevents", "valid_keys"):
            self.assertIn(key, event)
        self.assertEqual(event["slug"], "event1")
        keys = event["valid_keys"]["pretix_sig1"]
        self.assertEqual(len(keys), 1)
        pem = base64.b64decode(keys[0]).decode()
        self.assertTrue(pem.startswith("-----BEGIN PUBLIC KEY-----"))
        der = base64.b64decode("".join(pem.strip().splitlines()[1:-1]))
        self.assertEqual(der[:12].hex(), "302a300506032b6570032100")
        self.assertEqual(len(der), 44)

    def test_resource_shapes(self):
        emu = self.emu
        base = emu.api("/events/event1")
        items = emu.get(base + "/items/")["results"]
        self.assertEqual(len(items), 5)
        for item in items:
            for key in ("id", "name", "admission", "checkin_attention", "variations", "default_price"):
                self.assertIn(key, item)
        self.assertEqual([v["id"] for v in items[0]["variations"]], [1011, 1012])
        lists = emu.get(base + "/checkinlists/")["results"]
        for lst in lists:
            for key in ("id", "name", "all_products", "limit_products", "subevent", "include_pending",
                        "allow_multiple_entries", "allow_entry_after_exit", "addon_match", "rules",
                        "checkin_count", "position_count"):
                self.assertIn(key, lst)
        questions = emu.get(base + "/questions/")["results"]
        self.assertTrue(any(q["dependency_question"] for q in questions))
        self.assertEqual(emu.get(base + "/subevents/")["count"], 0)
        layouts = emu.get(base + "/badgelayouts/")["results"]
        self.assertIsInstance(layouts[0]["layout"], list)
        self.assertEqual(len(emu.get(base + "/badgeitems/")["results"]), 3)
        self.assertEqual(emu.get(base + "/revokedsecrets/")["count"], 3)
        for b in emu.get(base + "/blockedsecrets/")["results"]:
            self.assertEqual(set(b), {"id", "secret", "updated", "blocked"})
        order = emu.get(base + "/orders/?page_size=1")["results"][0]
        for key in ("code", "status", "require_approval", "valid_if_pending", "checkin_attention", "email",
                    "locale", "positions", "datetime", "last_modified"):
            self.assertIn(key, order)
        for key in ("id", "order", "positionid", "item", "variation", "subevent", "secret", "attendee_name",
                    "attendee_email", "addon_to", "blocked", "valid_from", "valid_until", "checkins", "answers",
                    "canceled"):
            self.assertIn(key, order["positions"][0])
        detail = emu.get(base + "/orders/%s/" % order["code"])
        self.assertEqual(detail["code"], order["code"])
        self.assertEqual(emu.get(base + "/checkinlists/%d/" % lists[0]["id"])["id"], lists[0]["id"])
        self.assertEqual(emu.json("GET", base + "/orders/ZZZZZ/")[0], 404)

    def test_demo_directory_served_as_is(self):
        emu = self.emu
        base = emu.api("/events/kioskconf27")
        with open(os.path.join(DEMO, "event.json")) as f:
            self.assertEqual(emu.get(base + "/"), json.load(f))
        for kind in ("items", "questions", "subevents", "badgelayouts", "revokedsecrets", "blockedsecrets",
                     "checkinlists"):
            with open(os.path.join(DEMO, kind + ".json")) as f:
                expected = json.load(f)["results"]
            served = emu.all_pages(base + "/%s/" % kind)
            if kind == "checkinlists":      # counted live, as pretix does; see the emulator's docstring
                for lst in expected + served:
                    lst.pop("checkin_count"), lst.pop("position_count")
            self.assertEqual(sorted(served, key=lambda o: o["id"]), sorted(expected, key=lambda o: o["id"]), kind)
        with open(os.path.join(DEMO, "orders.json")) as f:
            expected = json.load(f)["results"]
        served = emu.all_pages(base + "/orders/?include_canceled_positions=true")
        self.assertEqual(served, expected)
        default = emu.all_pages(base + "/orders/")
        self.assertEqual(sum(len(o["positions"]) for o in default),
                         sum(1 for o in expected for p in o["positions"] if not p["canceled"]))

    def test_pagination(self):
        emu = self.emu
        path = emu.api("/events/event1/orders/")
        first = emu.get(path)
        self.assertEqual(len(first["results"]), 50)
        self.assertIsNone(first["previous"])
        self.assertEqual(first["next"], emu.base + path + "?page=2")
        capped = emu.get(path + "?page_size=500")
        self.assertEqual(len(capped["results"]), 50)
        second = emu.get(first["next"])
        self.assertEqual(second["previous"], emu.base + path)
        small = emu.get(path + "?page_size=7&page=3")
        self.assertEqual(len(small["results"]), 7)
        self.assertEqual(small["next"], emu.base + path + "?page=4&page_size=7")
        self.assertEqual(small["previous"], emu.base + path + "?page=2&page_size=7")
        orders = emu.all_pages(path + "?include_canceled_positions=true")
        self.assertEqual(len(orders), first["count"])
        self.assertEqual(len({o["code"] for o in orders}), len(orders))
        self.assertEqual(sorted(o["datetime"] for o in orders), [o["datetime"] for o in orders])
        positions = [p for o in orders for p in o["positions"]]
        generated = [p for p in positions if p["id"] < 900_000_000]
        self.assertEqual(len(generated), 400)
        status, _, body = emu.json("GET", path + "?page=999")
        self.assertEqual((status, body), (404, {"detail": "Invalid page."}))
        self.assertEqual(emu.get(path + "?page=last")["next"], None)

    def test_canceled_positions_hidden_unless_asked(self):
        emu = self.emu
        canceled = emu.admin("GET", "/events/event1/positions?canceled=true")["results"]
        self.assertTrue(canceled, "the generated data has canceled positions")
        code, pid = canceled[0]["order"], canceled[0]["id"]
        base = emu.api("/events/event1/orders/%s/" % code)
        self.assertNotIn(pid, [p["id"] for p in emu.get(base)["positions"]])
        self.assertIn(pid, [p["id"] for p in emu.get(base + "?include_canceled_positions=true")["positions"]])

    def test_gzip(self):
        status, headers, body = self.emu.request("GET", self.emu.api("/events/event1/orders/"),
                                                 headers={"Accept-Encoding": "gzip"})
        self.assertEqual(headers["Content-Encoding"], "gzip")
        self.assertEqual(json.loads(gzip.decompress(body))["count"], self.emu.get(self.emu.api("/events/event1/orders/"))["count"])

    # --- incremental sync -----------------------------------------------------------------------------

    def test_incremental_orders(self):
        emu = self.emu
        path = emu.api("/events/event2/orders/")
        status, headers, first = emu.json("GET", path, expect=200)
        generated = headers["X-Page-Generated"]
        since = path + "?ordering=-last_modified&modified_since=" + urllib.parse.quote(generated)
        self.assertEqual(emu.get(since)["count"], 0)
        added = emu.admin("POST", "/events/event2/orders", {"positions": [{"item": 2001, "attendee_name": "Neu"}]},
                          expect=201)["orders"][0]
        victim = first["results"][3]["code"]
        emu.admin("POST", "/events/event2/orders/%s/cancel" % victim, {})
        changed = first["results"][5]
        emu.admin("PATCH", "/events/event2/orders/%s" % changed["code"],
                  {"positions": {str(changed["positions"][0]["id"]): {"attendee_name": "Renamed Person"}}})
        page = emu.get(since)
        self.assertEqual([o["code"] for o in page["results"]], [changed["code"], victim, added["code"]])
        self.assertEqual(page["results"][1]["status"], "c")
        self.assertEqual(page["results"][0]["positions"][0]["attendee_name"], "Renamed Person")
        _, headers2, _ = emu.json("GET", since, expect=200)
        self.assertGreater(headers2["X-Page-Generated"], generated)
        self.assertEqual(emu.get(path + "?modified_since=" + urllib.parse.quote(headers2["X-Page-Generated"]))["count"], 0)
        # an interrupted full sync resumes by creation time
        orders = emu.all_pages(path)
        pivot = orders[120]["datetime"]
        resumed = emu.all_pages(path + "?ordering=datetime&created_since=" + urllib.parse.quote(pivot))
        self.assertEqual(resumed[0]["datetime"], pivot)
        self.assertEqual([o["code"] for o in resumed], [o["code"] for o in orders[120:]])
        status, _, body = emu.json("GET", path + "?modified_since=yesterday")
        self.assertEqual((status, list(body)), (400, ["modified_since"]))

    def test_malformed_order_is_served_as_given(self):
        emu = self.emu
        path = emu.api("/events/event2/orders/")
        _, headers, _ = emu.json("GET", path, expect=200)
        since = path + "?modified_since=" + urllib.parse.quote(headers["X-Page-Generated"])
        raw = {"code": "BRK01", "status": "p", "positions": [{"id": "not-a-number", "item": "x"}, "garbage",
                                                            {"id": 999999991, "secret": None}]}
        emu.admin("POST", "/events/event2/orders", {"raw": raw}, expect=201)
        served = emu.get(since)["results"]
        self.assertEqual([o["code"] for o in served], ["BRK01"])
        self.assertEqual(served[0]["positions"], raw["positions"])
        self.assertIn("last_modified", served[0])
        # everything else keeps working around it
        self.assertEqual(emu.json("GET", emu.api("/checkinrpc/search/?list=2021&search=brk"))[0], 200)
        self.assertEqual(emu.json("GET", emu.api("/events/event2/checkinlists/2021/status/"))[0], 200)
        self.assertEqual(emu.json("POST", emu.api("/checkinrpc/redeem/"), redeem_body("garbage", 2021))[0], 404)

    def test_if_modified_since(self):
        emu = self.emu
        base = emu.api("/events/event2")
        last = {}
        for kind in ("items", "checkinlists", "questions", "subevents"):
            status, headers, _ = emu.request("GET", base + "/%s/" % kind)
            self.assertEqual(status, 200)
            last[kind] = headers["Last-Modified"]
            status, headers, body = emu.request("GET", base + "/%s/" % kind, headers={"If-Modified-Since": last[kind]})
            self.assertEqual((status, body), (304, b""), kind)
        lists = emu.get(base + "/checkinlists/")["results"]
        rule = {"and": [{"==": [{"var": "entries_number"}, 0]}]}
        emu.admin("PATCH", "/events/event2/checkinlists/%d" % lists[0]["id"], {"rules": rule})
        status, headers, body = emu.request("GET", base + "/checkinlists/", headers={"If-Modified-Since": last["checkinlists"]})
        self.assertEqual(status, 200)
        self.assertNotEqual(headers["Last-Modified"], last["checkinlists"])
        changed = [l for l in json.loads(body)["results"] if l["id"] == lists[0]["id"]][0]
        self.assertEqual(changed["rules"], rule)
        status, _, _ = emu.request("GET", base + "/items/", headers={"If-Modified-Since": last["items"]})
        self.assertEqual(status, 304)
        emu.admin("PATCH", "/events/event2/checkinlists/%d" % lists[0]["id"], {"rules": lists[0]["rules"]})

    def test_revoked_and_blocked_since(self):
        emu = self.emu
        base = emu.api("/events/event2")
        _, headers, _ = emu.request("GET", base + "/revokedsecrets/")
        since = urllib.parse.quote(headers["X-Page-Generated"])
        self.assertEqual(emu.get(base + "/revokedsecrets/?created_since=" + since)["count"], 0)
        self.assertEqual(emu.get(base + "/blockedsecrets/?updated_since=" + since)["count"], 0)
        pos = emu.admin("GET", "/events/event2/positions?status=p&blocked=false&canceled=false&limit=2")["results"]
        regen = emu.admin("POST", "/events/event2/positions/%d/regenerate_secret" % pos[0]["id"], {})
        revoked = emu.get(base + "/revokedsecrets/?created_since=" + since)["results"]
        self.assertEqual([r["secret"] for r in revoked], [regen["old"]])
        emu.admin("POST", "/events/event2/positions/%d/block" % pos[1]["id"], {"blocked": True})
        blocked = emu.get(base + "/blockedsecrets/?updated_since=" + since)["results"]
        self.assertEqual([(b["secret"], b["blocked"]) for b in blocked], [(pos[1]["secret"], True)])
        changed = emu.get(base + "/orders/?modified_since=" + since)["results"]
        self.assertEqual({o["code"] for o in changed}, {pos[0]["order"], pos[1]["order"]})
        # the old secret is now revoked: online it answers "revoked", with force it checks the position in
        lst = emu.get(base + "/checkinlists/")["results"][0]["id"]
        status, _, body = emu.json("POST", emu.api("/checkinrpc/redeem/"), redeem_body(regen["old"], lst))
        self.assertEqual((status, body["reason"]), (400, "revoked"))
        status, _, body = emu.json("POST", emu.api("/checkinrpc/redeem/"), redeem_body(pos[1]["secret"], lst))
        self.assertEqual((status, body["reason"]), (400, "blocked"))

    # --- check-in -------------------------------------------------------------------------------------

    def test_demo_notable_scenarios(self):
        """The emulator decides the demo's notable tickets as the demo README says pretix does."""
        emu = self.emu
        with open(os.path.join(DEMO, "notable.json")) as f:
            scenarios = json.load(f)
        for name, sc in scenarios.items():
            status, _, body = emu.json("POST", emu.api("/checkinrpc/redeem/"),
                                       redeem_body(sc["secret"], sc["list"], sc["at"]))
            expected_reason = sc["expect_reason"]
            if name == "revoked_secret":
                expected_reason = "revoked"     # online pretix knows the revoked secret (the demo notes it)
            self.assertEqual(body["status"], sc["expect_status"], name)
            if sc["expect_status"] == "error":
                self.assertEqual(body["reason"], expected_reason, name)
                self.assertEqual(status, 404 if expected_reason == "invalid" else 400, name)
            elif sc["expect_status"] == "ok":
                self.assertEqual(status, 201, name)
                if "expect_position" in sc:
                    self.assertEqual(body["position"]["id"], sc["expect_position"], name)
            else:
                self.assertEqual([q["id"] for q in body["questions"]], sc["expect_questions"], name)
            if "expect_require_attention" in sc:
                self.assertEqual(body["require_attention"], sc["expect_require_attention"], name)

    def test_redeem_nonce_and_force(self):
        emu = self.emu
        with open(os.path.join(DEMO, "notable.json")) as f:
            notable = {sc["secret"] for sc in json.load(f).values()}
        pos = emu.admin("GET", "/events/kioskconf27/positions?status=p&item=102&blocked=false&canceled=false")["results"]
        pos = [p for p in pos if p["secret"] not in notable]
        secret = pos[-1]["secret"]
        at = "2027-03-17T10:00:00+01:00"
        body = redeem_body(secret, 11, at, nonce="nonce-force-1")
        status, _, first = emu.json("POST", emu.api("/checkinrpc/redeem/"), body)
        self.assertEqual((status, first["status"]), (201, "ok"))
        self.assertEqual(first["position"]["checkins"][-1]["datetime"], at)
        status, _, again = emu.json("POST", emu.api("/checkinrpc/redeem/"), body)
        self.assertEqual((status, again["status"]), (201, "ok"))
        counters = emu.admin("GET", "/counters")
        self.assertEqual(counters["accepted_checkins"]["nonce-force-1"], 1)
        self.assertEqual(counters["deduplicated_checkins"]["nonce-force-1"], 1)
        status, _, second = emu.json("POST", emu.api("/checkinrpc/redeem/"), redeem_body(secret, 11, at))
        self.assertEqual((status, second["reason"]), (400, "already_redeemed"))
        status, _, forced = emu.json("POST", emu.api("/checkinrpc/redeem/"),
                                     redeem_body(secret, 11, at, nonce="nonce-force-2", force=True))
        self.assertEqual((status, forced["status"]), (201, "ok"))
        status, _, exit_ = emu.json("POST", emu.api("/checkinrpc/redeem/"),
                                    redeem_body(secret, 11, at, type="exit"))
        self.assertEqual(status, 201)
        records = emu.admin("GET", "/checkins?position=%d&successful=true" % pos[-1]["id"])["results"]
        order = emu.get(emu.api("/events/kioskconf27/orders/%s/" % records[0]["order"]))
        mine = [p for p in order["positions"] if p["secret"] == secret][0]["checkins"]
        self.assertEqual([c["type"] for c in mine if c["list"] == 11][-3:], ["entry", "entry", "exit"])

    def test_redeem_answers(self):
        emu = self.emu
        secret = "gp5pwcvn8h72ut5dynhsyn6f55n4v5qs"      # incomplete_tshirt in the demo
        at = "2027-03-16T09:31:00+01:00"
        status, _, body = emu.json("POST", emu.api("/checkinrpc/redeem/"),
                                   redeem_body(secret, 11, at, answers={"301": "999"}))
        self.assertEqual((status, body["status"], [q["id"] for q in body["questions"]]), (400, "incomplete", [301]))
        status, _, body = emu.json("POST", emu.api("/checkinrpc/redeem/"),
                                   redeem_body(secret, 11, at, answers={"301": "402"}))
        self.assertEqual((status, body["status"]), (201, "ok"))
        answer = [a for a in body["position"]["answers"] if a["question"] == 301][0]
        self.assertEqual((answer["answer"], answer["options"], answer["option_identifiers"]), ("M", [402], ["TSHIRT-M"]))
        # the conditional question appears only when its parent has the triggering answer
        secret2 = "e39qtgtgvwhykcrx8x7prrycumpbnr68"     # dietary needs "Other", details missing
        at2 = "2027-03-17T09:30:00+01:00"
        status, _, body = emu.json("POST", emu.api("/checkinrpc/redeem/"), redeem_body(secret2, 11, at2))
        self.assertEqual([q["id"] for q in body["questions"]], [303])
        status, _, body = emu.json("POST", emu.api("/checkinrpc/redeem/"),
                                   redeem_body(secret2, 11, at2, answers={"302": "406"}))
        self.assertEqual((status, body["status"]), (201, "ok"))

    def test_redeem_validation(self):
        emu = self.emu
        url = emu.api("/checkinrpc/redeem/")
        self.assertEqual(emu.json("POST", url, {"secret": "x"})[2], {"lists": ["This field is required."]})
        status, _, body = emu.json("POST", url, {"secret": "x", "lists": [99999]})
        self.assertEqual((status, body), (400, {"lists": ['Invalid pk "99999" - object does not exist.']}))
        self.assertIn("type", emu.json("POST", url, redeem_body("x", 11, type="sideways"))[2])
        self.assertIn("datetime", emu.json("POST", url, redeem_body("x", 11, "tomorrow"))[2])
        status, _, body = emu.json("POST", url, redeem_body("uwnnce633x4ke8sxb3trp5bb9ps7kfs4", 11))
        self.assertEqual((status, body["status"], body["reason"], body["list"]["id"]), (404, "error", "invalid", 11))
        status, _, body = emu.json("POST", url, redeem_body("x", 1021))
        self.assertEqual(status, 404)
        status, _, _ = emu.json("POST", url, {"secret": "x", "lists": [1021, 1022]})
        self.assertEqual(status, 400)
        # booleans as Django REST framework reads them: "false" is false
        secret = "5m7spckvak9e7b5kt6cu69n48qpyhz9b"          # already_redeemed in the demo
        status, _, body = emu.json("POST", url, redeem_body(secret, 11, "2027-03-16T09:30:00+01:00", force="false"))
        self.assertEqual((status, body["reason"]), (400, "already_redeemed"))
        self.assertIn("force", emu.json("POST", url, redeem_body(secret, 11, force="maybe"))[2])

    def test_per_list_redeem(self):
        emu = self.emu
        secret = "dy7v5yrysv3q5qacwjjqvbyzr4myfwc4"      # ok_student
        path = emu.api("/events/kioskconf27/checkinlists/13/positions/%s/redeem/?untrusted_input=true" % secret)
        status, _, body = emu.json("POST", path, {"nonce": "per-list-1", "datetime": "2027-03-16T10:00:00+01:00"})
        self.assertEqual((status, body["reason"]), (400, "rules"))
        self.assertTrue(body["reason_explanation"])

    def test_annul(self):
        emu = self.emu
        device_a = "device:" + self.new_device()["api_token"]
        device_b = "device:" + self.new_device()["api_token"]
        secrets = [p["secret"] for p in emu.admin("GET", "/events/event1/positions?status=p&blocked=false&canceled=false&limit=40")["results"]]
        at = "2027-03-16T11:00:00+01:00"
        url = emu.api("/checkinrpc/redeem/")
        annul = emu.api("/checkinrpc/annul/")
        ok = []
        for secret in secrets:
            status, _, body = emu.json("POST", url, redeem_body(secret, 1021, at, nonce="annul-" + secret,
                                                                 questions_supported=False), auth=device_a)
            if status == 201 and body["status"] == "ok":
                ok.append(secret)
            if len(ok) == 4:
                break
        self.assertEqual(len(ok), 4)
        status, _, body = emu.json("POST", annul, {"lists": [1021], "nonce": "annul-" + ok[0],
                                                   "datetime": "2027-03-16T11:05:00+01:00"}, auth=device_a)
        self.assertEqual((status, body), (200, {"status": "ok"}))
        order = emu.admin("GET", "/checkins?nonce=annul-" + ok[0])["results"][0]
        self.assertFalse(order["successful"])
        self.assertEqual(order["error_reason"], "annulled")
        status, _, body = emu.json("POST", annul, {"lists": [1021], "nonce": "annul-" + ok[0]}, auth=device_a)
        self.assertEqual(status, 400)
        status, _, body = emu.json("POST", annul, {"lists": [1021], "nonce": "never-seen"}, auth=device_a)
        self.assertEqual(status, 404)
        status, _, body = emu.json("POST", annul, {"lists": [1021], "nonce": "annul-" + ok[1],
                                                   "datetime": "2027-03-16T11:01:00+01:00"}, auth=device_b)
        self.assertEqual((status, body["non_field_errors"]), (400, ["Annulment is only allowed from the same device"]))
        status, _, body = emu.json("POST", annul, {"lists": [1021], "nonce": "annul-" + ok[2],
                                                   "datetime": "2027-03-16T11:16:00+01:00"}, auth=device_a)
        self.assertEqual((status, body["non_field_errors"]),
                         (400, ["Annulment is not allowed more than 15 minutes after check-in"]))
        status, _, body = emu.json("POST", annul, {"lists": [1021], "nonce": "annul-" + ok[3],
                                                   "datetime": "2027-03-16T11:02:00+01:00"})
        self.assertEqual(status, 400)          # a team token cannot annul a device's check-in
        counters = emu.admin("GET", "/counters")
        self.assertEqual(counters["annulments"]["annul-" + ok[0]], 1)
        self.assertNotIn("annul-" + ok[1], counters["annulments"])
        # the annulled check-in is gone from the position, so the ticket is valid again
        status, _, body = emu.json("POST", url, redeem_body(ok[0], 1021, at, questions_supported=False), auth=device_a)
        self.assertEqual((status, body["status"]), (201, "ok"))

    def test_failed_checkins(self):
        emu = self.emu
        url = emu.api("/events/event1/checkinlists/1021/failed_checkins/")
        scan = {"error_reason": "invalid", "raw_barcode": "binary:AAEC", "datetime": "2027-03-16T09:40:00+01:00",
                "type": "entry", "nonce": "failed-1"}
        status, _, body = emu.json("POST", url, scan)
        self.assertEqual((status, body["error_reason"], body["raw_barcode"]), (201, "invalid", "binary:AAEC"))
        self.assertEqual(emu.json("POST", url, scan)[0], 201)
        self.assertEqual(emu.admin("GET", "/checkins?nonce=failed-1")["count"], 1)
        self.assertEqual(emu.json("POST", url, {"raw_barcode": "x"})[2], {"error_reason": ["This field is required."]})
        self.assertEqual(emu.json("POST", url, dict(scan, error_reason="nope"))[0], 400)
        self.assertEqual(emu.admin("GET", "/counters")["failed_checkins_by_nonce"]["failed-1"], 1)
        # X-Idempotency-Key replays the first answer
        again = dict(scan, nonce="failed-2", raw_barcode="y")
        first = emu.request("POST", url, again, headers={"X-Idempotency-Key": "idem-1"})
        second = emu.request("POST", url, dict(again, raw_barcode="changed"), headers={"X-Idempotency-Key": "idem-1"})
        self.assertEqual((first[0], second[0], first[2]), (201, 201, second[2]))
        self.assertEqual(second[1]["X-Idempotency-Replay"], "true")
        self.assertEqual(emu.admin("GET", "/checkins?nonce=failed-2")["count"], 1)

    def test_search_and_status(self):
        emu = self.emu
        url = emu.api("/checkinrpc/search/?list=11&search=")
        hits = emu.get(url + urllib.parse.quote("Ashworth"))["results"]
        self.assertTrue(hits)
        self.assertTrue(all("ashworth" in (h["attendee_name"] or "").lower() or h["order__status"] for h in hits))
        self.assertIn("require_attention", hits[0])
        by_code = emu.get(url + "8S8WT")["results"]
        self.assertIn("8bmub2af8hgcku36aguwaaxpxzuhkdcq", [h["secret"] for h in by_code])
        by_secret = emu.get(url + "8bmub2af")["results"]
        self.assertEqual([h["secret"] for h in by_secret], ["8bmub2af8hgcku36aguwaaxpxzuhkdcq"])
        self.assertEqual(emu.get(url + "5dtgwmm9m27")["count"], 0)          # pending, list 11 excludes pending
        self.assertEqual(emu.get(url + "5dtgwmm9m27&ignore_status=true")["count"], 1)
        self.assertEqual(emu.json("GET", emu.api("/checkinrpc/search/?list=4242&search=abc"))[0], 403)
        listed = emu.get(emu.api("/events/kioskconf27/checkinlists/12/positions/?search=wa8jzvhg"))["results"]
        self.assertEqual([p["item"] for p in listed], [104])
        # the conference ticket is not on the workshop list (only its add-on is)
        self.assertEqual(emu.get(emu.api("/events/kioskconf27/checkinlists/12/positions/?search=kuty65py"))["count"], 0)
        status_path = emu.api("/events/event2/checkinlists/2021/status/")
        before = emu.get(status_path)
        for key in ("checkin_count", "position_count", "inside_count", "event", "items"):
            self.assertIn(key, before)
        candidates = emu.admin("GET", "/events/event2/positions?status=p&blocked=false&canceled=false&item=2001&limit=60")["results"]
        for cand in candidates:
            status, _, body = emu.json("POST", emu.api("/checkinrpc/redeem/"),
                                       redeem_body(cand["secret"], 2021, "2027-03-16T12:00:00+01:00",
                                                   questions_supported=False))
            if status == 201:
                break
        after = emu.get(status_path)
        self.assertEqual(after["checkin_count"], before["checkin_count"] + 1)
        self.assertEqual(after["inside_count"], before["inside_count"] + 1)
        conf = [i for i in after["items"] if i["id"] == 2001][0]
        self.assertEqual(conf["checkin_count"], [i for i in before["items"] if i["id"] == 2001][0]["checkin_count"] + 1)
        lst = emu.get(emu.api("/events/event2/checkinlists/2021/"))
        self.assertEqual((lst["checkin_count"], lst["position_count"]), (after["checkin_count"], after["position_count"]))

    def test_upload_and_file_answer(self):
        emu = self.emu
        png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
        status, _, body = emu.request("POST", "/api/v1/upload", raw_body=png, headers={
            "Content-Type": "image/png", "Content-Disposition": 'attachment; filename="photo.png"'})
        self.assertEqual(status, 201)
        file_id = json.loads(body)["id"]
        self.assertTrue(file_id.startswith("file:"))
        status, _, _ = emu.request("POST", "/api/v1/upload", raw_body=b"hello", headers={
            "Content-Type": "text/plain", "Content-Disposition": 'attachment; filename="a.txt"'})
        self.assertEqual(status, 400)
        question = emu.admin("POST", "/events/event2/questions", {
            "question": {"en": "Photo"}, "type": "F", "required": True, "items": [2005], "options": [],
            "position": 9, "identifier": "PHOTO", "ask_during_checkin": True, "dependency_question": None,
            "dependency_values": []}, expect=201)
        order = emu.admin("POST", "/events/event2/orders", {"positions": [{"item": 2005}]}, expect=201)["orders"][0]
        secret = order["positions"][0]["secret"]
        status, _, body = emu.json("POST", emu.api("/checkinrpc/redeem/"), redeem_body(secret, 2021))
        self.assertEqual([q["id"] for q in body["questions"]], [question["id"]])
        status, _, body = emu.json("POST", emu.api("/checkinrpc/redeem/"),
                                   redeem_body(secret, 2021, answers={str(question["id"]): file_id}))
        self.assertEqual((status, body["status"]), (201, "ok"))
        emu.admin("DELETE", "/events/event2/questions/%d" % question["id"])

    # --- faults ---------------------------------------------------------------------------------------

    def test_faults(self):
        emu = self.emu
        path = emu.api("/events/event1/items/")
        emu.admin("POST", "/faults", {"path": path, "kind": "status", "status": 500}, expect=201)
        self.assertEqual(emu.request("GET", path)[0], 500)
        self.assertEqual(emu.request("GET", path)[0], 200)
        emu.admin("POST", "/faults", {"path": path, "kind": "rate_limit", "retry_after": 3})
        status, headers, _ = emu.request("GET", path)
        self.assertEqual((status, headers["Retry-After"]), (429, "3"))
        emu.admin("POST", "/faults", {"path": path, "kind": "slow", "seconds": 0.5})
        started = time.monotonic()
        self.assertEqual(emu.request("GET", path)[0], 200)
        self.assertGreaterEqual(time.monotonic() - started, 0.5)
        emu.admin("POST", "/faults", {"path": path, "kind": "unauthorized"})
        status, _, body = emu.request("GET", path)
        self.assertEqual((status, json.loads(body)), (401, {"detail": "Invalid token."}))
        emu.admin("POST", "/faults", {"path": path, "kind": "content_type"})
        status, headers, body = emu.request("GET", path)
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/html"))
        emu.admin("POST", "/faults", {"path": path, "kind": "truncate"})
        status, headers, body = emu.request("GET", path)
        self.assertEqual((status, int(headers["Content-Length"])), (200, len(body)))
        with self.assertRaises(ValueError):
            json.loads(body)
        emu.admin("POST", "/faults", {"path": path, "kind": "reset"})
        conn = http.client.HTTPConnection("127.0.0.1", emu.info["port"], timeout=10)
        conn.request("GET", path, headers={"Authorization": "Token " + emu.info["team_token"]})
        resp = conn.getresponse()
        with self.assertRaises((http.client.IncompleteRead, ConnectionError)):
            resp.read()
        conn.close()
        # skip, count and method filters; /_emulator is never faulted
        emu.admin("POST", "/faults", {"path": path, "kind": "status", "status": 503, "skip": 1, "count": 2,
                                      "method": "GET", "match": "exact"})
        self.assertEqual([emu.request("GET", path)[0] for _ in range(4)], [200, 503, 503, 200])
        emu.admin("POST", "/faults", {"path": "/api/", "kind": "status", "status": 502})
        self.assertEqual(emu.admin("GET", "/faults")["faults"][0]["status"], 502)
        emu.admin("DELETE", "/faults")
        self.assertEqual(emu.request("GET", path)[0], 200)
        fired = emu.admin("GET", "/counters")["faults_fired"]
        self.assertGreaterEqual(len(fired), 9)

    def test_fault_after_processing_and_retry(self):
        """A 500 or a reset after the server committed the check-in: the retry with the same nonce
        must not make a second one."""
        emu = self.emu
        url = emu.api("/checkinrpc/redeem/")
        secrets = [p["secret"] for p in emu.admin("GET", "/events/event1/positions?status=p&item=1002&blocked=false&canceled=false&limit=20")["results"]]
        at = "2027-03-17T10:00:00+01:00"
        for n, kind in enumerate(("status", "reset")):
            nonce = "after-processing-%d" % n
            emu.admin("POST", "/faults", {"path": url, "kind": kind, "process": True})
            body = redeem_body(secrets[n], 1021, at, nonce=nonce, force=True)
            try:
                status = emu.request("POST", url, body)[0]
            except (ConnectionError, http.client.HTTPException, urllib.error.URLError):
                status = "reset"
            self.assertIn(status, (500, "reset"))
            status, _, answer = emu.json("POST", url, body)
            self.assertEqual((status, answer["status"]), (201, "ok"))
            counters = emu.admin("GET", "/counters")
            self.assertEqual(counters["accepted_checkins"][nonce], 1, kind)
            self.assertEqual(counters["deduplicated_checkins"][nonce], 1, kind)

    def test_counters(self):
        emu = self.emu
        path = emu.api("/events/event1/questions/")
        before = emu.admin("GET", "/counters")["requests"].get("GET " + path, 0)
        emu.request("GET", path)
        emu.request("GET", path + "?page=1")
        counters = emu.admin("GET", "/counters")
        self.assertEqual(counters["requests"]["GET " + path], before + 2)
        self.assertIn("GET resource list", counters["routes"])
        self.assertEqual(emu.json("GET", "/_emulator/counters", auth=None)[0], 401)

    def test_signed_tickets(self):
        emu = self.emu
        # the Ed25519 implementation against RFC 8032, test 1
        seed = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
        self.assertEqual(pe.ed25519_public_key(seed).hex(),
                         "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        self.assertEqual(pe.ed25519_sign(seed, b"").hex()[:32], "e5564300c360ac729086e2cc806e828a")
        event = emu.get(emu.api("/events/event1/"))
        pem = base64.b64decode(event["valid_keys"]["pretix_sig1"][0]).decode()
        public = base64.b64decode("".join(pem.strip().splitlines()[1:-1]))[-32:]
        text = emu.admin("POST", "/events/event1/signed_secret",
                         {"item": 1001, "variation": 1011, "valid_from": "2027-03-16T00:00:00+01:00"})["secret"]
        blob = base64.b64decode(text[::-1])
        self.assertEqual(blob[0], 1)
        plen, slen = int.from_bytes(blob[1:3], "big"), int.from_bytes(blob[3:5], "big")
        payload, signature = blob[5:5 + plen], blob[5 + plen:5 + plen + slen]
        self.assertEqual(slen, 64)
        self.assertTrue(pe.ed25519_verify(public, payload, signature))
        self.assertFalse(pe.ed25519_verify(public, payload + b"x", signature))
        self.assertEqual(payload[0], 0x0A)                               # field 1 (seed), length-delimited
        self.assertIn(bytes([0x10]) + pe._varint(1001), payload)          # field 2 (item)
        self.assertIn(bytes([0x28]) + pe._varint(1805151600), payload)    # field 5 (valid from, unix time)
        order = emu.admin("POST", "/events/event1/orders", {"signed": True, "positions": [{"item": 1003}]},
                          expect=201)["orders"][0]
        signed = order["positions"][0]["secret"]
        self.assertEqual(base64.b64decode(signed[::-1])[0], 1)
        status, _, body = emu.json("POST", emu.api("/checkinrpc/redeem/"),
                                   redeem_body(signed, 1021, questions_supported=False))
        self.assertEqual((status, body["status"], body["require_attention"]), (201, "ok", True))


class SeparateInstanceTest(unittest.TestCase):
    """Behaviour that needs its own emulator: size, determinism, series, persistence."""

    def test_large_event_starts_fast(self):
        emu = Running("--events", "1", "--positions", "100000", "--seed", "3").start()
        try:
            self.assertLess(emu.ready_after, 10.0)
            path = emu.api("/events/event1/orders/")
            first = emu.get(path)
            self.assertGreater(first["count"], 50_000)
            started = time.monotonic()
            page = emu.get(path + "?page=%d" % (first["count"] // 50))
            self.assertLess(time.monotonic() - started, 2.0)
            self.assertTrue(page["results"])
            last = emu.get(path + "?page=last&include_canceled_positions=true")["results"][-1]
            self.assertEqual(last["positions"][-1]["id"], 10_000_000 + 100_000)
            counts = emu.get(emu.api("/events/event1/checkinlists/1021/status/"))
            self.assertGreater(counts["position_count"], 80_000)
        finally:
            emu.stop()

    def test_deterministic_from_seed(self):
        bodies = []
        for seed in ("11", "11", "12"):
            emu = Running("--positions", "120", "--seed", seed, "--subevents", "2").start()
            try:
                body = emu.request("GET", emu.api("/events/event1/orders/?page=2"))[2]
                bodies.append(body.replace(str(emu.info["port"]).encode(), b"PORT"))
                if seed == "12":
                    event = emu.get(emu.api("/events/event1/"))
                    self.assertTrue(event["has_subevents"])
                    subevents = emu.get(emu.api("/events/event1/subevents/"))["results"]
                    self.assertEqual([s["id"] for s in subevents], [1101, 1102])
                    lists = emu.get(emu.api("/events/event1/checkinlists/"))["results"]
                    self.assertEqual(sorted(l["subevent"] for l in lists if l["subevent"]), [1101, 1102])
                    orders = emu.all_pages(emu.api("/events/event1/orders/"))
                    self.assertEqual({p["subevent"] for o in orders for p in o["positions"]}, {1101, 1102})
            finally:
                emu.stop()
        self.assertEqual(bodies[0], bodies[1])
        self.assertNotEqual(bodies[0], bodies[2])

    def test_exit_with_parent(self):
        tmp = tempfile.mkdtemp(prefix="pretix-emu-parent-")
        ready = os.path.join(tmp, "ready.json")
        try:
            # a parent that starts the emulator, waits until it is ready and dies, like a crashed test
            subprocess.run(["sh", "-c", '"$0" "$1" --positions 10 --exit-with-parent --ready-file "$2" >/dev/null 2>&1 & '
                            'while [ ! -f "$2" ]; do sleep 0.05; done', sys.executable, EMULATOR, ready],
                           check=True, timeout=20)
            deadline = time.monotonic() + 20
            with open(ready) as f:
                pid = json.load(f)["pid"]
            while time.monotonic() < deadline:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)
            else:
                os.kill(pid, signal.SIGKILL)
                self.fail("the emulator outlived its parent")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def test_state_survives_sigkill(self):
        state = tempfile.mkdtemp(prefix="pretix-emu-state-")
        try:
            emu = Running("--positions", "200", state_dir=state).start()
            info = emu.info
            status, _, device = emu.json("POST", "/api/v1/device/initialize", {
                "token": info["init_token"], "hardware_brand": "K", "hardware_model": "K1",
                "software_brand": "kiosk", "software_version": "1"}, auth=None)
            self.assertEqual(status, 200)
            auth = "device:" + device["api_token"]
            pos = emu.admin("GET", "/events/event1/positions?status=p&blocked=false&canceled=false&limit=1")["results"][0]
            body = redeem_body(pos["secret"], 1021, "2027-03-16T10:00:00+01:00", nonce="persist-1", force=True)
            self.assertEqual(emu.json("POST", emu.api("/checkinrpc/redeem/"), body, auth=auth)[0], 201)
            added = emu.admin("POST", "/events/event1/orders", {"positions": [{"item": 1002}]}, expect=201)["orders"][0]
            emu.admin("PATCH", "/events/event1/checkinlists/1022", {"name": "Workshop hall"})
            _, headers, _ = emu.json("GET", emu.api("/events/event1/orders/"), expect=200)
            generated = headers["X-Page-Generated"]
            emu.stop(kill=True)
            with open(os.path.join(state, "journal.jsonl"), "a") as f:
                f.write('{"k": "order", "e": "event1", "s": 3, "o": {"co')      # torn by the kill

            emu = Running("--positions", "200", state_dir=state).start()
            try:
                self.assertEqual(emu.info["team_token"], info["team_token"])
                self.assertEqual(emu.info["admin_token"], info["admin_token"])
                self.assertEqual(emu.json("POST", emu.api("/checkinrpc/redeem/"), body, auth=auth)[0], 201)
                counters = emu.admin("GET", "/counters")
                self.assertEqual(counters["accepted_checkins"]["persist-1"], 1)
                self.assertEqual(counters["deduplicated_checkins"]["persist-1"], 1)
                self.assertEqual(emu.get(emu.api("/events/event1/orders/%s/" % added["code"]))["code"], added["code"])
                self.assertEqual(emu.get(emu.api("/events/event1/checkinlists/1022/"))["name"], "Workshop hall")
                since = emu.get(emu.api("/events/event1/orders/?modified_since=" + urllib.parse.quote(generated)))
                self.assertEqual(since["count"], 0)
                status, _, again = emu.json("POST", "/api/v1/device/initialize", {
                    "token": info["init_token"], "hardware_brand": "K", "hardware_model": "K1",
                    "software_brand": "kiosk", "software_version": "1"}, auth=None)
                self.assertEqual(status, 400)
                annul = emu.json("POST", emu.api("/checkinrpc/annul/"),
                                 {"lists": [1021], "nonce": "persist-1", "datetime": "2027-03-16T10:01:00+01:00"}, auth=auth)
                self.assertEqual(annul[0], 200)
                late = emu.admin("POST", "/events/event1/orders", {"positions": [{"item": 1003}]}, expect=201)["orders"][0]
                self.assertEqual(emu.request("GET", emu.api("/events/event1/"))[1]["Date"][-3:], "GMT")
            finally:
                emu.stop()
            emu = Running("--positions", "200", state_dir=state).start()
            try:       # what came after the torn line is there too
                self.assertEqual(emu.get(emu.api("/events/event1/orders/%s/" % late["code"]))["code"], late["code"])
                self.assertEqual(emu.admin("GET", "/counters")["annulments"], {"persist-1": 1})
            finally:
                emu.stop()
            status = subprocess.run([sys.executable, EMULATOR, "--positions", "201", "--state-dir", state],
                                    capture_output=True, timeout=20)
            self.assertNotEqual(status.returncode, 0)       # other data arguments than the state was made with
        finally:
            shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
