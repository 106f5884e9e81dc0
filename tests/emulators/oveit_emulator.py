#!/usr/bin/env python3
"""Oveit ticketing API emulator for the kiosk's tests (issue 12, item 3).

An HTTP server (Python 3 standard library only) that tests start as a subprocess and
talk to over loopback. It serves the three calls of the seed document 003_f6fed5afae64980c.txt
(Oveit's "Tickets" page): the event's ticket list, check-in and scan, with the organizer token,
keeps every ticket's check-ins per entry (the main entry and each addon: "multiple access"),
counts what it was asked, and injects faults on request, like tests/emulators/pretix_emulator.py.
What every emulator shares (the fault table and the fault kinds' wire answers, the admin API's
common endpoints, the HTTP plumbing, the start-up) is in emulator_common.py beside this file;
this file holds what is Oveit's own.

COMMAND LINE

    python3 tests/emulators/oveit_emulator.py --port 0 --ready-file PATH
        [--token T] [--admin-token T] [--events N] [--tickets N] [--seed S] [--clock ISO]
        [--exit-with-parent [--parent-pid PID]] [--verbose]

--port 0 binds a free port on --host (127.0.0.1). When the server accepts connections the ready
file is written atomically: {"port", "url" (the API base, http://127.0.0.1:PORT/api), "base",
"token", "admin_token", "events": [ids], "pid"}. SIGTERM / SIGINT stop it; --exit-with-parent also
stops it when the process that started it (or --parent-pid) is gone.

Data. Always the seed's example: event 100 "Indila concert" (Romexpo), ticket type 123 "VIP area"
with addon 5 ("Backstage"), tickets 39fa317d (not checked in), 7cd58203 (checked in at the main
entry and addon 5 on 2016-08-10T11:49:18+00:00) and 6c388d60 (series "ABC 123", order 15 of John
Doe, attendee John Doe / john@example.com, RFID codes 659891 and 352623, checked in on addon 5 on
2016-09-10T11:49:18+00:00: so checking it in at the main entry at the default clock answers exactly
the seed's check-in example). --events N adds N generated events, ids 1001..100N, each with
--tickets N tickets (default 100): ticket types ID*10+1 "General", +2 "VIP", +3 "Student" (VIP
carries addons ID*10+1 "Backstage" and ID*10+2 "Lounge"; General carries ID*10+1), codes of 8 hex
digits (deterministic from --seed), attendees named in Latin, Cyrillic, Greek, Arabic, Hebrew,
Chinese, Japanese and Devanagari scripts, every 5th ticket with an RFID code "R<event><n>", every
7th checked in at the main entry, every 11th VIP also at its first addon.

Clock: a virtual clock, by default 2016-09-10T11:49:18+00:00 (the seed's check-in time); every
check-in is dated with it. POST /_emulator/clock moves it.

API (POST; a trailing slash is tolerated)
  POST /api/events/tickets   token, id                 -> {"tickets": [{code, ticket_type_id, checked_in,
                                                           checkins: [{addon_id, date}]}]}
  POST /api/tickets/checkin  token, ticket_code (or the deprecated code) or rfid_code, optional
                             ticket_type_id, addon_id   -> the seed's check-in answer
  POST /api/tickets/scan     token, ticket_code or rfid_code -> the same shape, nothing recorded
Parameters as form fields (application/x-www-form-urlencoded, Oveit's way), or a JSON object, or
the query string. The token may also come as "Authorization: Bearer <token>" (Oveit documents
that alternative). checked_in is true when the ticket has a main-entry check-in (addon_id null):
OUR ASSUMPTION (the seed's example has both).

Errors. Oveit's API documentation (https://l.oveit.com/api-documentation, "Introduction") says:
the server always answers 200 OK, even for an API error, except for an invalid or expired token,
answered 403 Forbidden; an error answer holds an "error" key, e.g. {"error": "This ticket does not
exist"}; messages follow Accept-Language (en, de, es, fr, ja, nl). Only that example's words are
documented; the others below are OUR ASSUMPTION (English; the client reads the words):
  403 {"error": "Invalid or expired token"}                    no, or a wrong, token
  200 {"error": "Missing event id"} / {"error": "This event does not exist"}   the list call
  200 {"error": "Missing ticket code"}                         neither ticket_code, code nor rfid_code
  200 {"error": "This ticket does not exist"}                  unknown code or RFID code
  200 {"error": "This ticket has been cancelled"}              cancelled (admin DELETE)
  200 {"error": "This ticket type does not grant access here"}  ticket_type_id is not the ticket's type
  200 {"error": "This ticket does not include this addon"}     addon_id not among its type's addons
  200 {"error": "This ticket has already been checked in"}     at that entry (main, or that addon):
                                                               each addon is its own entry
Cancelled tickets leave the list (Oveit lists the tickets "generated" for an event: our reading).

ADMIN API (for tests; "Authorization: Bearer <admin_token>" or "X-Admin-Token"; never faulted, not
counted; JSON in and out)
  GET   /_emulator/info                        events (ticket counts), tokens, clock
  GET   /_emulator/counters                    requests ("METHOD /path": n), routes, list_requests,
                                               checkin_requests, scan_requests, checkins_recorded,
                                               checkins_by_entry {"main" | addon id: n}, refused
                                               {error words: n}, rfid_lookups, faults_fired
  POST  /_emulator/counters/reset
  GET   /_emulator/requests                    the API requests received: method, path,
                                               content_type, params (token replaced by "***"),
                                               token_ok, status
  POST  /_emulator/clock                       {"now": ISO} or {"advance_seconds": n}
  POST  /_emulator/events                      {"id", "name", "ticket_types": [{"id", "name",
                                               "addons": [ids]}], "addons": [{"id", "name"}],
                                               "tickets": n} -> 201
  GET   /_emulator/events/{id}/tickets         {"codes": [every code], "rfid_codes": {rfid: code}}
  POST  /_emulator/events/{id}/tickets         a ticket {"code", "ticket_type_id", "name", "email",
                                               "rfid_codes": [..], "checkins": [{addon_id, date}]}, or
                                               {"tickets": [..]} or {"count": n} -> 201 {"tickets"}
  GET|PATCH|DELETE /_emulator/events/{id}/tickets/{code}   PATCH any field above or "cancelled";
                                               DELETE cancels (gone from the list)
  POST  /_emulator/events/{id}/raw_tickets     {"entries": [any JSON]}: appended as they are to the
                                               list answer (malformed tickets); DELETE clears them
  POST  /_emulator/faults                      as the pretix emulator's: {"path", "match": "prefix" |
                                               "exact" | "contains" | "regex", "method", "count",
                                               "skip", "kind", "process"}; kinds "status" (+
                                               "status", optional "body", "content_type"),
                                               "rate_limit" (429 + Retry-After), "slow" ("seconds"),
                                               "reset" (cut answer then TCP reset), "truncate"
                                               ("keep_bytes"), "content_type" (200 text/html page),
                                               "unauthorized" (403 {"error"}), "empty" (200, no
                                               body), "wrong_types" (200 {"ok": "yes", "ticket": 7}
                                               / {"tickets": {"code": 1}})
  GET   /_emulator/faults    DELETE /_emulator/faults    DELETE /_emulator/faults/{id}
  POST  /_emulator/shutdown

The list answer of an event is kept serialized until the event changes, so 10,000+ tickets answer
in milliseconds.

FIDELITY LIMITS
- Only the three calls above: no seller/login (the token is fixed and never expires), no events
  listing, no RFID pairing, no Accept-Language (English words only).
- The error words beyond the documented example are our assumption (see Errors).
- Ticket codes are unique across events, as Oveit's are (the check-in call names no event).
- Requests are served under one lock; state lives in memory only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import secrets
import traceback
from urllib.parse import parse_qs, unquote

from emulator_common import (AdminApi, ApiError, ApiHandler, EmulatorCore, Resp, add_lifetime_arguments,
                             add_listen_arguments, js, run_emulator)

SEED_CLOCK = "2016-09-10T11:49:18+00:00"
FAULT_KINDS = {k: k for k in ("status", "rate_limit", "slow", "reset", "truncate", "content_type", "unauthorized",
                              "empty", "wrong_types")}
ROUTES = {"/api/events/tickets": "list", "/api/tickets/checkin": "checkin", "/api/tickets/scan": "scan"}
NAMES = [("Ana", "Popescu"), ("Иван", "Петров"), ("Νίκος", "Παπαδόπουλος"), ("محمد", "الأحمد"),
         ("דוד", "כהן"), ("王", "小明"), ("佐藤", "花子"), ("प्रिया", "शर्मा"), ("José", "Núñez"), ("Zoë", "Ødegård")]


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def parse_iso(text) -> dt.datetime:
    return dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))


def refusal(words):
    """Oveit's documented error shape: 200 OK with an "error" key."""
    return ApiError(200, {"error": words})


# --------------------------------------------------------------------------------------------------
# State


class Emulator(EmulatorCore):
    FAULT_KINDS = FAULT_KINDS

    def __init__(self, args):
        super().__init__()
        self.args = args
        self.token = args.token or secrets.token_hex(8)
        self.admin_token = args.admin_token or secrets.token_urlsafe(32)
        self.clock = parse_iso(args.clock)
        self.events = {}                     # id -> event
        self.codes = {}                      # ticket code -> (event, ticket): codes are unique across events
        self.rfid = {}                       # rfid code -> ticket code
        self.random = random.Random(args.seed)
        self.order_seq = 1000
        self.reset_counters()

    def reset_counters(self):
        self.requests_by_path = {}
        self.requests_by_route = {}
        self.requests = []
        self.faults_fired = []
        self.tally = {"list_requests": 0, "checkin_requests": 0, "scan_requests": 0, "checkins_recorded": 0,
                      "rfid_lookups": 0}
        self.refused = {}
        self.checkins_by_entry = {}

    def counters(self):
        out = dict(self.tally)
        out.update({"requests": dict(self.requests_by_path), "routes": dict(self.requests_by_route),
                    "refused": dict(self.refused), "checkins_by_entry": dict(self.checkins_by_entry),
                    "faults_fired": list(self.faults_fired)})
        return out

    # --- data --------------------------------------------------------------------------------------

    def add_event(self, event_id, name=None, ticket_types=(), addons=(), starts_at=None, location="Romexpo"):
        event_id = int(event_id)
        if event_id in self.events:
            raise ApiError(400, {"detail": "event %d exists" % event_id})
        event = {"id": event_id, "name": str(name or "Event %d" % event_id), "location": location,
                 "starts_at": starts_at or iso(self.clock + dt.timedelta(days=14)),
                 "ticket_types": {}, "addons": {}, "tickets": {}, "raw": [], "cache": None}
        for addon in addons:
            event["addons"][int(addon["id"])] = str(addon.get("name") or "Addon %s" % addon["id"])
        for tt in ticket_types:
            event["ticket_types"][int(tt["id"])] = {"id": int(tt["id"]), "name": str(tt.get("name") or "Type %s" % tt["id"]),
                                                     "addons": [int(a) for a in tt.get("addons", [])]}
        self.events[event_id] = event
        return event

    def new_code(self):
        while True:
            code = "%08x" % self.random.getrandbits(32)
            if code not in self.codes:
                return code

    def add_ticket(self, event, spec):
        code = str(spec.get("code") or self.new_code())
        if code in self.codes:
            raise ApiError(400, {"detail": "ticket code %r exists" % code})
        types = event["ticket_types"]
        type_id = int(spec.get("ticket_type_id") or (next(iter(types)) if types else 0))
        if type_id not in types:
            raise ApiError(400, {"detail": "event %d has no ticket type %d" % (event["id"], type_id)})
        self.order_seq += 1
        ticket = {"code": code, "series": spec.get("series", "S%s" % code[:4].upper()), "ticket_type_id": type_id,
                  "order_id": int(spec.get("order_id", self.order_seq)),
                  "name": str(spec.get("name", "")), "email": str(spec.get("email", "")),
                  "order_date": spec.get("order_date", iso(self.clock - dt.timedelta(days=30))),
                  "rfid_codes": [], "checkins": [], "cancelled": bool(spec.get("cancelled", False))}
        self.codes[code] = (event, ticket)
        self.set_rfid(ticket, spec.get("rfid_codes", []))
        ticket["checkins"] = self.read_checkins(spec.get("checkins", []))
        event["tickets"][code] = ticket
        event["cache"] = None
        return ticket

    def set_rfid(self, ticket, codes):
        for entry in ticket["rfid_codes"]:
            self.rfid.pop(entry["code"], None)
        ticket["rfid_codes"] = []
        for entry in codes:
            entry = entry if isinstance(entry, dict) else {"code": str(entry), "date": iso(self.clock)}
            ticket["rfid_codes"].append({"code": str(entry["code"]), "date": entry.get("date", iso(self.clock))})
            self.rfid[str(entry["code"])] = ticket["code"]

    @staticmethod
    def read_checkins(entries):
        out = []
        for entry in entries:
            addon = entry.get("addon_id")
            out.append({"addon_id": None if addon is None else int(addon), "date": str(entry["date"])})
        return out

    def generate(self, event_id, count):
        base = event_id * 10
        event = self.add_event(event_id, "Generated event %d" % event_id,
                               ticket_types=[{"id": base + 1, "name": "General", "addons": [base + 1]},
                                             {"id": base + 2, "name": "VIP", "addons": [base + 1, base + 2]},
                                             {"id": base + 3, "name": "Student", "addons": []}],
                               addons=[{"id": base + 1, "name": "Backstage"}, {"id": base + 2, "name": "Lounge"}])
        earlier = iso(self.clock - dt.timedelta(hours=1))
        for n in range(1, count + 1):
            first, last = NAMES[n % len(NAMES)]
            type_id = base + 1 + n % 3
            checkins = []
            if n % 7 == 0:
                checkins.append({"addon_id": None, "date": earlier})
            if n % 11 == 0 and type_id == base + 2:
                checkins.append({"addon_id": base + 1, "date": earlier})
            self.add_ticket(event, {"ticket_type_id": type_id, "name": "%s %s" % (first, last),
                                    "email": "guest%d@example.com" % n, "checkins": checkins,
                                    "rfid_codes": ["R%d%05d" % (event_id, n)] if n % 5 == 0 else []})
        return event

    def seed(self):
        event = self.add_event(100, "Indila concert", ticket_types=[{"id": 123, "name": "VIP area", "addons": [5]}],
                               addons=[{"id": 5, "name": "Backstage"}], starts_at="2016-08-24T01:30:00+00:00")
        self.add_ticket(event, {"code": "39fa317d", "ticket_type_id": 123, "name": "Maria Ionescu",
                                "email": "maria@example.com"})
        self.add_ticket(event, {"code": "7cd58203", "ticket_type_id": 123, "name": "Jane Roe", "email": "jane@example.com",
                                "checkins": [{"addon_id": 5, "date": "2016-08-10T11:49:18+00:00"},
                                             {"addon_id": None, "date": "2016-08-10T11:49:18+00:00"}]})
        self.add_ticket(event, {"code": "6c388d60", "series": "ABC 123", "ticket_type_id": 123, "order_id": 15,
                                "name": "John Doe", "email": "john@example.com", "order_date": "2016-08-24T01:30:00+00:00",
                                "rfid_codes": [{"code": "659891", "date": "2017-01-04T07:53:07+00:00"},
                                               {"code": "352623", "date": "2017-03-16T09:53:51+00:00"}],
                                "checkins": [{"addon_id": 5, "date": "2016-09-10T11:49:18+00:00"}]})

    # --- views -------------------------------------------------------------------------------------

    @staticmethod
    def list_entry(ticket):
        return {"code": ticket["code"], "ticket_type_id": ticket["ticket_type_id"],
                "checked_in": any(c["addon_id"] is None for c in ticket["checkins"]),
                "checkins": [dict(c) for c in ticket["checkins"]]}

    def list_body(self, event):
        if event["cache"] is None:
            entries = [self.list_entry(t) for t in event["tickets"].values() if not t["cancelled"]]
            event["cache"] = js({"tickets": entries + event["raw"]}).encode("utf-8")
        return event["cache"]

    def ticket_answer(self, event, ticket):
        tt = event["ticket_types"][ticket["ticket_type_id"]]
        return {"ok": True,
                "ticket": {"code": ticket["code"], "series": ticket["series"]},
                "ticket_type": {"id": tt["id"], "name": tt["name"]},
                "event": {"id": event["id"], "name": event["name"], "starts_at": event["starts_at"],
                          "location": event["location"]},
                "order": {"id": ticket["order_id"], "name": ticket["name"], "date": ticket["order_date"]},
                "checkins": [dict(c) for c in ticket["checkins"]],
                "attendee": {"fields": [{"name": "Name", "type": "text", "is_mandatory": True},
                                        {"name": "Email", "type": "email", "is_mandatory": False}],
                             "values": [ticket["name"], ticket["email"]]},
                "rfid_codes": [dict(r) for r in ticket["rfid_codes"]]}

    def event_view(self, event):
        tickets = event["tickets"].values()
        return {"id": event["id"], "name": event["name"], "tickets": len(event["tickets"]),
                "cancelled": sum(1 for t in tickets if t["cancelled"]),
                "ticket_types": list(event["ticket_types"].values()),
                "addons": [{"id": k, "name": v} for k, v in event["addons"].items()]}

    # --- the API -----------------------------------------------------------------------------------

    @staticmethod
    def params(query, headers, body):
        """Form fields, a JSON object, or the query string: one flat dict of strings (or None)."""
        out = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype == "application/json":
            try:
                data = json.loads(body.decode("utf-8")) if body else {}
            except (UnicodeDecodeError, ValueError):
                raise refusal("Invalid request")
            if not isinstance(data, dict):
                raise refusal("Invalid request")
            out.update({k: (None if v is None else str(v)) for k, v in data.items()})
        elif body:
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise refusal("Invalid request")
            out.update({k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()})
        return out

    def token_ok(self, params, headers):
        token = params.get("token")
        if not token:
            value = headers.get("Authorization") or ""
            if value.lower().startswith("bearer "):
                token = value[7:].strip()
        return bool(token) and secrets.compare_digest(token.encode(), self.token.encode())

    def api(self, method, path, query, headers, body) -> Resp:
        with self.lock:
            route = ROUTES.get(path.rstrip("/") or "/")
            self.bump(self.requests_by_path, "%s %s" % (method, path))
            self.bump(self.requests_by_route, "%s %s" % (method, route or "unknown"))
            record = {"method": method, "path": path, "content_type": headers.get("Content-Type"), "params": {},
                      "token_ok": False}
            self.requests.append(record)
            try:
                if route is None:
                    raise ApiError(404, {"error": "Not found"})
                if method != "POST":
                    raise ApiError(405, {"error": "Method not allowed"})
                params = self.params(query, headers, body)
                record["params"] = {k: ("***" if k == "token" else v) for k, v in params.items()}
                record["token_ok"] = self.token_ok(params, headers)
                if not record["token_ok"]:
                    raise ApiError(403, {"error": "Invalid or expired token"})
                if route == "list":
                    resp = self.list_call(params)
                else:
                    resp = self.ticket_call(route, params)
            except ApiError as exc:
                if exc.status == 200:
                    self.bump(self.refused, exc.body["error"])
                resp = Resp(exc.status, exc.body)
            except Exception:
                traceback.print_exc()
                resp = Resp(500, raw=b"<h1>Internal Server Error</h1>", ctype="text/html")
            record["status"] = resp.status
            return resp

    def list_call(self, params) -> Resp:
        self.tally["list_requests"] += 1
        event_id = (params.get("id") or "").strip()
        if not event_id:
            raise refusal("Missing event id")
        event = self.events.get(int(event_id)) if event_id.isdigit() else None
        if event is None:
            raise refusal("This event does not exist")
        return Resp(200, raw=self.list_body(event))

    def find(self, params):
        code = params.get("ticket_code") or params.get("code")
        if code:
            found = self.codes.get(code)
            if found:
                return found
        rfid = params.get("rfid_code")
        if rfid:
            self.tally["rfid_lookups"] += 1
            if rfid in self.rfid:
                return self.codes[self.rfid[rfid]]
        if not code and not rfid:
            raise refusal("Missing ticket code")
        raise refusal("This ticket does not exist")

    @staticmethod
    def optional_int(params, name):
        value = params.get(name)
        if value is None or value == "" or value == "null":
            return None
        try:
            return int(value)
        except ValueError:
            raise refusal("Invalid %s" % name)

    def ticket_call(self, route, params) -> Resp:
        self.tally["%s_requests" % route] += 1
        event, ticket = self.find(params)
        if ticket["cancelled"]:
            raise refusal("This ticket has been cancelled")
        if route == "scan":
            return Resp(200, self.ticket_answer(event, ticket))
        type_id = self.optional_int(params, "ticket_type_id")
        addon = self.optional_int(params, "addon_id")
        if type_id is not None and type_id != ticket["ticket_type_id"]:
            raise refusal("This ticket type does not grant access here")
        if addon is not None and addon not in event["ticket_types"][ticket["ticket_type_id"]]["addons"]:
            raise refusal("This ticket does not include this addon")
        if any(c["addon_id"] == addon for c in ticket["checkins"]):
            raise refusal("This ticket has already been checked in")
        ticket["checkins"].append({"addon_id": addon, "date": iso(self.clock)})
        event["cache"] = None
        self.tally["checkins_recorded"] += 1
        self.bump(self.checkins_by_entry, "main" if addon is None else str(addon))
        return Resp(200, self.ticket_answer(event, ticket))


# --------------------------------------------------------------------------------------------------
# Admin API

ADMIN = AdminApi()      # with /counters, /counters/reset, /requests, /faults..., /shutdown


def admin_event(emu, event_id):
    event = emu.events.get(int(event_id)) if str(event_id).isdigit() else None
    if event is None:
        raise ApiError(404, {"detail": "no event %r" % event_id})
    return event


def admin_ticket(emu, event_id, code):
    ticket = admin_event(emu, event_id)["tickets"].get(unquote(code))
    if ticket is None:
        raise ApiError(404, {"detail": "no ticket %r" % code})
    return ticket


@ADMIN.route("GET", r"/info")
def admin_info(emu, data):
    return {"events": [emu.event_view(e) for e in emu.events.values()], "token": emu.token,
            "admin_token": emu.admin_token, "clock": iso(emu.clock), "pid": os.getpid()}


@ADMIN.route("POST", r"/clock")
def admin_clock(emu, data):
    if "now" in data:
        emu.clock = parse_iso(data["now"])
    emu.clock += dt.timedelta(seconds=float(data.get("advance_seconds", 0)))
    return {"clock": iso(emu.clock)}


@ADMIN.route("POST", r"/events")
def admin_add_event(emu, data):
    event = emu.add_event(data.get("id", 2000 + len(emu.events)), data.get("name"), data.get("ticket_types", []),
                          data.get("addons", []))
    for _ in range(int(data.get("tickets", 0))):
        emu.add_ticket(event, {})
    return Resp(201, emu.event_view(event))


@ADMIN.route("GET", r"/events/(?P<event_id>[^/]+)")
def admin_get_event(emu, data, event_id):
    return emu.event_view(admin_event(emu, event_id))


@ADMIN.route("POST", r"/events/(?P<event_id>[^/]+)/tickets")
def admin_add_tickets(emu, data, event_id):
    event = admin_event(emu, event_id)
    if isinstance(data, list):
        specs = data
    elif "tickets" in data:
        specs = data["tickets"]
    elif "count" in data:
        specs = [{k: v for k, v in data.items() if k not in ("count", "code")} for _ in range(int(data["count"]))]
    else:
        specs = [data]
    if not isinstance(specs, list) or not all(isinstance(s, dict) for s in specs):
        raise ApiError(400, {"detail": "tickets are JSON objects"})
    return Resp(201, {"tickets": [emu.add_ticket(event, s) for s in specs]})


@ADMIN.route("GET", r"/events/(?P<event_id>[^/]+)/tickets")
def admin_ticket_codes(emu, data, event_id):
    event = admin_event(emu, event_id)
    return {"codes": list(event["tickets"]), "rfid_codes": {r["code"]: t["code"] for t in event["tickets"].values()
                                                            for r in t["rfid_codes"]}}


@ADMIN.route("GET", r"/events/(?P<event_id>[^/]+)/tickets/(?P<code>[^/]+)")
def admin_get_ticket(emu, data, event_id, code):
    return admin_ticket(emu, event_id, code)


@ADMIN.route("PATCH", r"/events/(?P<event_id>[^/]+)/tickets/(?P<code>[^/]+)")
def admin_patch_ticket(emu, data, event_id, code):
    event = admin_event(emu, event_id)
    ticket = admin_ticket(emu, event_id, code)
    if "ticket_type_id" in data:
        if int(data["ticket_type_id"]) not in event["ticket_types"]:
            raise ApiError(400, {"detail": "no ticket type %s" % data["ticket_type_id"]})
        ticket["ticket_type_id"] = int(data["ticket_type_id"])
    for field in ("name", "email", "series"):
        if field in data:
            ticket[field] = str(data[field])
    if "cancelled" in data:
        ticket["cancelled"] = bool(data["cancelled"])
    if "checkins" in data:
        ticket["checkins"] = emu.read_checkins(data["checkins"])
    if "rfid_codes" in data:
        emu.set_rfid(ticket, data["rfid_codes"])
    event["cache"] = None
    return ticket


@ADMIN.route("DELETE", r"/events/(?P<event_id>[^/]+)/tickets/(?P<code>[^/]+)")
def admin_cancel_ticket(emu, data, event_id, code):
    ticket = admin_ticket(emu, event_id, code)
    ticket["cancelled"] = True
    admin_event(emu, event_id)["cache"] = None
    return ticket


@ADMIN.route("POST", r"/events/(?P<event_id>[^/]+)/raw_tickets")
def admin_raw_tickets(emu, data, event_id):
    event = admin_event(emu, event_id)
    entries = data.get("entries", []) if isinstance(data, dict) else data
    event["raw"].extend(entries)
    event["cache"] = None
    return Resp(201, {"raw": event["raw"]})


@ADMIN.route("DELETE", r"/events/(?P<event_id>[^/]+)/raw_tickets")
def admin_clear_raw(emu, data, event_id):
    event = admin_event(emu, event_id)
    event["raw"] = []
    event["cache"] = None
    return {"status": "ok"}


# --------------------------------------------------------------------------------------------------
# HTTP


class Handler(ApiHandler):
    server_version = "oveit-emulator/1"
    log_name = "oveit_emulator"
    admin = ADMIN
    empty_body_cut = b'{"ok":'

    def error_body(self, status):
        return {"error": "Emulated error %d" % status}

    def rate_limit_body(self, wait):
        return {"error": "Too many requests"}

    def unauthorized_answer(self):
        return Resp(403, {"error": "Invalid or expired token"})

    def unprocessed_answer(self):
        # not processed: the answer a scan would give, cut or reset (nothing was recorded)
        return Resp(200, {"ok": True, "ticket": {"code": "00000000", "series": ""}, "checkins": []})

    def fault_empty(self, fault, resp):
        self.send(Resp(200, raw=b"", ctype="application/json"))

    def fault_wrong_types(self, fault, resp):
        wrong = {"tickets": {"code": 1}} if "events" in fault["path"] else {"ok": "yes", "ticket": 7}
        self.send(Resp(200, wrong))


# --------------------------------------------------------------------------------------------------
# Start-up


def build(args) -> Emulator:
    emu = Emulator(args)
    emu.seed()
    for k in range(1, args.events + 1):
        emu.generate(1000 + k, args.tickets)
    return emu


def parse_args(argv):
    p = argparse.ArgumentParser(description="Oveit tickets API emulator for tests (see the module docstring)")
    add_listen_arguments(p)
    p.add_argument("--token", help="the access token the API accepts (random otherwise)")
    p.add_argument("--admin-token")
    p.add_argument("--events", type=int, default=0, help="generated events, ids 1001..")
    p.add_argument("--tickets", type=int, default=100, help="tickets per generated event")
    p.add_argument("--seed", type=int, default=12, help="seed of the generated ticket codes")
    p.add_argument("--clock", default=SEED_CLOCK, help="the virtual clock's start (ISO 8601)")
    add_lifetime_arguments(p)
    args = p.parse_args(argv)
    if args.tickets < 0 or args.events < 0:
        p.error("--events and --tickets must be >= 0")
    return args


def main(argv=None):
    run_emulator(argv, parse_args, build, Handler, "oveit_emulator", "/api")


if __name__ == "__main__":
    main()
