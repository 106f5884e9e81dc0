#!/usr/bin/env python3
"""BrightStar Ticket Validation API emulator for the kiosk's tests (issue 12, item 4).

An HTTP server (Python 3 standard library only) that tests start as a subprocess and
talk to over loopback. It serves the two calls of the seed document 004_8abd0e37f1fcf113.txt
("Ticket Validation API": validate and check-in), keeps each ticket's state on a settable virtual
clock, counts what it was asked, and injects faults on request, like
tests/emulators/pretix_emulator.py.
What every emulator shares (the fault table and the fault kinds' wire answers, the admin API's
common endpoints, the HTTP plumbing, the start-up) is in emulator_common.py beside this file;
this file holds what is BrightStar's own.

COMMAND LINE

    python3 tests/emulators/brightstar_emulator.py --port 0 --ready-file PATH
        [--token T] [--admin-token T] [--event ID[=START]]... [--tickets N] [--clock ISO]
        [--scanner SCANNER_ID=EVENT_ID]... [--exit-with-parent [--parent-pid PID]] [--verbose]

--port 0 binds a free port on --host (127.0.0.1). When the server accepts connections the ready
file is written atomically: {"port", "url" (the API base up to its version segment,
http://127.0.0.1:PORT/v1), "base" (http://127.0.0.1:PORT), "token" (null without --token),
"admin_token", "events": [ids], "clock", "pid"}. SIGTERM / SIGINT stop it; --exit-with-parent also
stops it when the process that started it (or --parent-pid) is gone.

Clock. The emulator lives at --clock (default 2025-07-15T09:30:00Z, the seed's check-in time) and
the clock stands still until the admin API moves it (POST /_emulator/clock): every answer is
reproducible. A check-in is stamped with the clock.

Data. Without --event there are the seed's event evt_abc123 (starts 2025-07-15T08:00:00Z: open)
and evt_later (starts 2025-07-20T18:00:00Z: not started). --event ID[=START] makes an event
(START an ISO 8601 instant, default 2025-07-15T08:00:00Z). Every event gets --tickets N (default
20) generated tickets "TKT-<ID without evt_, upper case>-0001".., e.g. TKT-ABC123-0001, with
attendee names in several scripts (Latin with accents, Cyrillic, Arabic, Hebrew, Chinese), types
General Admission / VIP / Student; number n with n % 10 == 3 is cancelled, n % 10 == 7 is
already checked in (at the clock's start less 15 minutes, 09:15:00Z by default, by scanner
"entrance_main"). evt_abc123 also holds the seed's own ticket TKT-ABC123-XYZ (General Admission,
Jane Doe, not checked in). GET /_emulator/tickets lists them all.

API (the seed's paths; a trailing slash is tolerated; JSON in and out)
  POST /v1/tickets/validate   {"ticket_id": "TKT-ABC123-XYZ", "event_id": "evt_abc123" (optional)}
        200 {"valid": true, "ticket": {"id", "type", "attendee_name", "checked_in", "checked_in_at"}}
        Records nothing.
  POST /v1/tickets/checkin    {"ticket_id", "scanner_id" (optional), "location": {"lat", "lng"}
                              (optional)}
        200 {"success": true, "ticket": {... "checked_in": true, "checked_in_at": the clock}}
  Errors, with the seed's codes and HTTP statuses:
        404 INVALID_TICKET        no ticket with that id
        400 WRONG_EVENT           validate: event_id is not the ticket's event;
                                  checkin: see the assumption on scanners below
        400 TICKET_CANCELLED      the ticket was refunded / cancelled
        400 ALREADY_CHECKED_IN    the ticket was checked in before; the body includes
                                  "checked_in_at"
        400 EVENT_NOT_STARTED     checkin only, before the ticket's event starts
  The checks run in that order. Error body, as the seed shows it for validate:
        {"valid": false, "error": "ALREADY_CHECKED_IN", "checked_in_at": "2025-07-15T09:15:00Z"}
  (checked_in_at only with ALREADY_CHECKED_IN).

OUR ASSUMPTIONS (the seed is silent; the client reads the same, see
netsync/brightstar/brightstar_client.h)
- /checkin errors: the seed shows no body. We answer the validate shape with "success" in place of
  "valid": {"success": false, "error": CODE[, "checked_in_at"]}.
- EVENT_NOT_STARTED only from /checkin: the seed says to use /validate "for pre-check (e.g., before
  event starts)" and /checkin for actual entry, "This prevents accidental early check-ins", so
  /validate answers valid: true for a good ticket of an event not yet started.
- WRONG_EVENT from /checkin: its request has no event_id. A scanner can be registered to an
  event (--scanner ID=EVENT, or POST /_emulator/scanners); a check-in from a registered scanner
  of another event is refused with WRONG_EVENT. An unregistered or absent scanner_id is accepted
  (the seed calls it "Optional: tracking").
- Authentication: the seed names none. Without --token the API is open; an Authorization header
  is accepted and ignored. With --token every API call needs "Authorization: Bearer <token>",
  else 401 {"error": "UNAUTHORIZED", "message": ...} with WWW-Authenticate: Bearer.
- A request we cannot read (not JSON, ticket_id missing or not a non-empty string, event_id or
  scanner_id not a string, location not {"lat": number, "lng": number}) is
  400 {"valid"|"success": false, "error": "INVALID_REQUEST", "message": ...}; an unknown path is
  404 {"error": "NOT_FOUND"}, another method 405 {"error": "METHOD_NOT_ALLOWED"}.
- Ticket ids are compared exactly (case-sensitive).

ADMIN API (for tests; "Authorization: Bearer <admin_token>" or "X-Admin-Token"; never faulted, not
counted; JSON in and out)
  GET   /_emulator/info                  events, scanners, clock, tokens
  GET   /_emulator/counters              requests ("METHOD /path": n), validations, checkin_requests,
                                         checkins_recorded, refused {CODE: n}, faults_fired
  POST  /_emulator/counters/reset
  GET   /_emulator/requests              the API requests received, in order: method, path,
                                         authorization, content_type, body (text), status, answer
  GET|POST /_emulator/clock              {"now": ISO} or {"advance_seconds": s} -> {"now"}
  POST  /_emulator/events                {"id", "name", "starts_at": ISO} -> 201 the event
  GET|PATCH /_emulator/events/{id}       {"name", "starts_at"}
  POST  /_emulator/scanners              {"scanner_id", "event_id"} (registers or moves a scanner)
  GET   /_emulator/tickets?event=        every ticket with its state
  POST  /_emulator/tickets               {"id" (default generated), "event_id", "type",
                                         "attendee_name", "cancelled": false, "checked_in": false,
                                         "checked_in_at"} or {"tickets": [those]} -> 201 {"tickets"}
  GET|PATCH /_emulator/tickets/{id}      the ticket: id, event_id, type, attendee_name, cancelled,
                                         checked_in, checked_in_at, scanner_id, location,
                                         checkins (check-ins recorded for it); PATCH the fields
  POST  /_emulator/tickets/{id}/cancel
  POST  /_emulator/faults                {"path": "/v1/tickets/checkin", "match": "prefix" | "exact"
                                         | "contains" | "regex", "method": "POST", "count": 1,
                                         "skip": 0, "kind": ..., "process": bool} (or a list)
        kinds as the pretix emulator's: "status" (+ "status": 500, optional "body" (a JSON value,
        or text sent as text/plain), "content_type"), "rate_limit" (429 + Retry-After:
        "retry_after" s), "slow" (sleep "seconds", then answer normally), "reset" (the head and
        part of the answer, "after_bytes" of it, default half, then a TCP reset), "truncate" (the
        answer cut to "keep_bytes", default half: invalid JSON), "content_type" (200 text/html
        captive-portal page; with process the real answer under "content_type"), "empty" (200
        application/json with no body), "unauthorized" (401). "process" (default true for slow,
        reset, truncate, else false) applies the request before the fault: a check-in that is
        recorded but whose answer is lost.
  GET   /_emulator/faults    DELETE /_emulator/faults    DELETE /_emulator/faults/{id}
  POST  /_emulator/reset                 back to the start: the command line's data and clock, no
                                         faults, counters and request log empty (tests share one
                                         emulator and reset it between them)
  POST  /_emulator/shutdown

FIDELITY LIMITS (what it does not emulate)
- Only the two calls above. The seed's webhooks (ticket.checked_in, ticket.check_in_reverted) and
  attendee lookup are not served; there is no way to revert a check-in but the admin API.
- Error bodies of /checkin, the authentication, INVALID_REQUEST and the order of the checks are
  our assumption (see above); the real API may differ.
- Requests are served one at a time under one lock; state lives in memory only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import secrets
import traceback
from urllib.parse import unquote

from emulator_common import (AdminApi, ApiError, ApiHandler, EmulatorCore, Resp, add_lifetime_arguments,
                             add_listen_arguments, bearer_matches, run_emulator)

DEFAULT_CLOCK = "2025-07-15T09:30:00Z"
DEFAULT_START = "2025-07-15T08:00:00Z"
SEED_EVENT = "evt_abc123"
LATER_EVENT = "evt_later"
LATER_START = "2025-07-20T18:00:00Z"
SEED_TICKET = {"id": "TKT-ABC123-XYZ", "type": "General Admission", "attendee_name": "Jane Doe"}
NAMES = ("Jane Doe", "José Álvarez Núñez", "Zoë Lefèvre", "Søren Kjærgård", "Иван Петров", "Анна Смирнова",
         "محمد الأحمد", "فاطمة الزهراء", "דוד כהן", "שרה לוי", "王小明", "李娜")
TYPES = ("General Admission", "VIP", "Student")
CODES = ("INVALID_TICKET", "WRONG_EVENT", "TICKET_CANCELLED", "ALREADY_CHECKED_IN", "EVENT_NOT_STARTED")
FAULT_KINDS = {k: k for k in ("status", "rate_limit", "slow", "reset", "truncate", "content_type", "empty",
                              "unauthorized")}
API_ROUTE = re.compile(r"^/v1/tickets/(?P<action>validate|checkin)/?$")


def parse_instant(text) -> dt.datetime:
    """An ISO 8601 instant with an offset or Z; ValueError otherwise."""
    if not isinstance(text, str):
        raise ValueError("not a string")
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("no offset")
    return value.astimezone(dt.timezone.utc)


def iso(instant: dt.datetime) -> str:
    return instant.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------------------------------
# State


class Emulator(EmulatorCore):
    FAULT_KINDS = FAULT_KINDS

    def __init__(self, args):
        super().__init__()
        self.args = args
        self.token = args.token
        self.admin_token = args.admin_token or secrets.token_urlsafe(32)
        self.clock = parse_instant(args.clock)
        self.events = {}                                # id -> {"id", "name", "starts_at"}
        self.tickets = {}                               # id -> ticket (see add_ticket)
        self.scanners = {}                              # scanner_id -> event_id
        self.ticket_seq = 0
        self.reset_counters()

    def reset_counters(self):
        self.requests_by_path = {}
        self.requests = []
        self.faults_fired = []
        self.tally = {"validations": 0, "checkin_requests": 0, "checkins_recorded": 0}
        self.refused = {}

    def counters(self):
        out = dict(self.tally)
        out.update({"requests": dict(self.requests_by_path), "refused": dict(self.refused),
                    "faults_fired": list(self.faults_fired)})
        return out

    # --- data --------------------------------------------------------------------------------------

    def add_event(self, event_id, starts_at=DEFAULT_START, name=None):
        event_id = str(event_id or "")
        if not event_id or event_id in self.events:
            raise ApiError(400, {"detail": "event id %r is empty or exists" % event_id})
        try:
            start = parse_instant(starts_at)
        except ValueError:
            raise ApiError(400, {"detail": "starts_at %r is not an ISO 8601 instant with an offset" % starts_at})
        self.events[event_id] = {"id": event_id, "name": str(name or event_id), "starts_at": iso(start)}
        return self.events[event_id]

    def add_ticket(self, spec):
        event_id = spec.get("event_id")
        if event_id not in self.events:
            raise ApiError(400, {"detail": "event_id %r is no event" % event_id})
        ticket_id = spec.get("id")
        if ticket_id is None:
            self.ticket_seq += 1
            ticket_id = "TKT-GEN-%04d" % self.ticket_seq
        ticket_id = str(ticket_id)
        if not ticket_id or ticket_id in self.tickets:
            raise ApiError(400, {"detail": "ticket id %r is empty or exists" % ticket_id})
        checked_in = bool(spec.get("checked_in", False))
        at = spec.get("checked_in_at")
        if checked_in and at is None:
            at = iso(self.clock)
        ticket = {"id": ticket_id, "event_id": event_id, "type": str(spec.get("type", TYPES[0])),
                  "attendee_name": str(spec.get("attendee_name", NAMES[0])),
                  "cancelled": bool(spec.get("cancelled", False)), "checked_in": checked_in,
                  "checked_in_at": iso(parse_instant(at)) if checked_in else None,
                  "scanner_id": spec.get("scanner_id"), "location": None, "checkins": 0}
        self.tickets[ticket_id] = ticket
        return ticket

    def generate_tickets(self, event_id, count):
        tag = re.sub(r"[^A-Z0-9]", "", event_id.upper().removeprefix("EVT_")) or "EVT"
        earlier = iso(self.clock - dt.timedelta(minutes=15))
        for n in range(1, count + 1):
            self.add_ticket({"id": "TKT-%s-%04d" % (tag, n), "event_id": event_id, "type": TYPES[n % len(TYPES)],
                             "attendee_name": NAMES[n % len(NAMES)], "cancelled": n % 10 == 3,
                             "checked_in": n % 10 == 7, "checked_in_at": earlier,
                             "scanner_id": "entrance_main" if n % 10 == 7 else None})

    @staticmethod
    def public(ticket):
        """The ticket as the seed's answers show it."""
        return {"id": ticket["id"], "type": ticket["type"], "attendee_name": ticket["attendee_name"],
                "checked_in": ticket["checked_in"], "checked_in_at": ticket["checked_in_at"]}

    # --- the API -----------------------------------------------------------------------------------

    def authenticate(self, headers):
        if not self.token:
            return
        if not bearer_matches(headers, self.token):
            raise ApiError(401, {"error": "UNAUTHORIZED", "message": "A valid Bearer token is required."})

    def api(self, method, path, query, headers, body) -> Resp:
        with self.lock:
            match = API_ROUTE.match(path)
            record = self.log_request(method, path, headers, body)
            try:
                if match is None:
                    raise ApiError(404, {"error": "NOT_FOUND", "message": "No such endpoint."})
                if method != "POST":
                    raise ApiError(405, {"error": "METHOD_NOT_ALLOWED", "message": "Use POST."})
                self.authenticate(headers)
                if match.group("action") == "validate":
                    resp = self.validate(body)
                else:
                    resp = self.checkin(body)
            except ApiError as exc:
                if isinstance(exc.body, dict) and exc.body.get("error") in CODES:
                    self.bump(self.refused, exc.body["error"])
                headers_out = [("WWW-Authenticate", 'Bearer realm="brightstar"')] if exc.status == 401 else []
                resp = Resp(exc.status, exc.body, headers=headers_out)
            except Exception:
                traceback.print_exc()
                resp = Resp(500, raw=b"<h1>Internal Server Error</h1>", ctype="text/html")
            record["status"] = resp.status
            record["answer"] = resp.body.decode("utf-8", "replace")
            return resp

    @staticmethod
    def read_request(body, flag, fields):
        """The request's JSON object with ticket_id and the optional `fields` checked."""
        def invalid(why):
            return ApiError(400, {flag: False, "error": "INVALID_REQUEST", "message": "Bad request: %s." % why})

        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise invalid("the body is not valid JSON")
        if not isinstance(data, dict):
            raise invalid("the body is not a JSON object")
        if not isinstance(data.get("ticket_id"), str) or not data["ticket_id"]:
            raise invalid("ticket_id is required")
        for field in fields:
            if data.get(field) is not None and not isinstance(data[field], str):
                raise invalid("%s must be a string" % field)
        location = data.get("location")
        if location is not None:
            if not isinstance(location, dict) or not all(
                    isinstance(location.get(k), (int, float)) and not isinstance(location.get(k), bool)
                    for k in ("lat", "lng")):
                raise invalid("location must be {\"lat\": number, \"lng\": number}")
        return data

    def refuse(self, flag, ticket, code):
        body = {flag: False, "error": code}
        if code == "ALREADY_CHECKED_IN":
            body["checked_in_at"] = ticket["checked_in_at"]
        return ApiError(404 if code == "INVALID_TICKET" else 400, body)

    def find(self, flag, ticket_id):
        ticket = self.tickets.get(ticket_id)
        if ticket is None:
            raise self.refuse(flag, None, "INVALID_TICKET")
        return ticket

    def validate(self, body) -> Resp:
        self.tally["validations"] += 1
        data = self.read_request(body, "valid", ("event_id",))
        ticket = self.find("valid", data["ticket_id"])
        if data.get("event_id") and data["event_id"] != ticket["event_id"]:
            raise self.refuse("valid", ticket, "WRONG_EVENT")
        if ticket["cancelled"]:
            raise self.refuse("valid", ticket, "TICKET_CANCELLED")
        if ticket["checked_in"]:
            raise self.refuse("valid", ticket, "ALREADY_CHECKED_IN")
        return Resp(200, {"valid": True, "ticket": self.public(ticket)})

    def checkin(self, body) -> Resp:
        self.tally["checkin_requests"] += 1
        data = self.read_request(body, "success", ("scanner_id",))
        ticket = self.find("success", data["ticket_id"])
        scanner = data.get("scanner_id")
        if scanner in self.scanners and self.scanners[scanner] != ticket["event_id"]:
            raise self.refuse("success", ticket, "WRONG_EVENT")
        if ticket["cancelled"]:
            raise self.refuse("success", ticket, "TICKET_CANCELLED")
        if ticket["checked_in"]:
            raise self.refuse("success", ticket, "ALREADY_CHECKED_IN")
        if self.clock < parse_instant(self.events[ticket["event_id"]]["starts_at"]):
            raise self.refuse("success", ticket, "EVENT_NOT_STARTED")
        ticket.update(checked_in=True, checked_in_at=iso(self.clock), scanner_id=scanner,
                      location=data.get("location"))
        ticket["checkins"] += 1
        self.tally["checkins_recorded"] += 1
        return Resp(200, {"success": True, "ticket": self.public(ticket)})


# --------------------------------------------------------------------------------------------------
# Admin API

ADMIN = AdminApi(with_query=True)      # with /counters, /counters/reset, /requests, /faults..., /shutdown


def admin_event(emu, event_id):
    event = emu.events.get(unquote(event_id))
    if event is None:
        raise ApiError(404, {"detail": "no event %r" % event_id})
    return event


def admin_ticket(emu, ticket_id):
    ticket = emu.tickets.get(unquote(ticket_id))
    if ticket is None:
        raise ApiError(404, {"detail": "no ticket %r" % ticket_id})
    return ticket


@ADMIN.route("GET", r"/info")
def admin_info(emu, data, query):
    return {"events": list(emu.events.values()), "scanners": dict(emu.scanners), "clock": iso(emu.clock),
            "tickets": len(emu.tickets), "token": emu.token, "admin_token": emu.admin_token, "pid": os.getpid()}


@ADMIN.route("GET", r"/clock")
def admin_clock(emu, data, query):
    return {"now": iso(emu.clock)}


@ADMIN.route("POST", r"/clock")
def admin_set_clock(emu, data, query):
    try:
        if "now" in data:
            emu.clock = parse_instant(data["now"])
        if "advance_seconds" in data:
            emu.clock += dt.timedelta(seconds=float(data["advance_seconds"]))
    except (TypeError, ValueError) as exc:
        raise ApiError(400, {"detail": "now is an ISO 8601 instant, advance_seconds a number: %s" % exc})
    return {"now": iso(emu.clock)}


@ADMIN.route("POST", r"/events")
def admin_add_event(emu, data, query):
    return Resp(201, emu.add_event(data.get("id"), data.get("starts_at", DEFAULT_START), data.get("name")))


@ADMIN.route("GET", r"/events/(?P<event_id>[^/]+)")
def admin_get_event(emu, data, query, event_id):
    return admin_event(emu, event_id)


@ADMIN.route("PATCH", r"/events/(?P<event_id>[^/]+)")
def admin_patch_event(emu, data, query, event_id):
    event = admin_event(emu, event_id)
    if "starts_at" in data:
        try:
            event["starts_at"] = iso(parse_instant(data["starts_at"]))
        except ValueError:
            raise ApiError(400, {"detail": "starts_at is an ISO 8601 instant with an offset"})
    if "name" in data:
        event["name"] = str(data["name"])
    return event


@ADMIN.route("POST", r"/scanners")
def admin_add_scanner(emu, data, query):
    scanner, event_id = data.get("scanner_id"), data.get("event_id")
    if not isinstance(scanner, str) or not scanner:
        raise ApiError(400, {"detail": "scanner_id is required"})
    admin_event(emu, str(event_id))
    emu.scanners[scanner] = event_id
    return Resp(201, {"scanner_id": scanner, "event_id": event_id})


@ADMIN.route("GET", r"/tickets")
def admin_tickets(emu, data, query):
    event = (query.get("event") or [None])[0]
    return {"tickets": [t for t in emu.tickets.values() if event is None or t["event_id"] == event]}


@ADMIN.route("POST", r"/tickets")
def admin_add_tickets(emu, data, query):
    specs = data["tickets"] if isinstance(data, dict) and "tickets" in data else data
    specs = specs if isinstance(specs, list) else [specs]
    if not all(isinstance(s, dict) for s in specs):
        raise ApiError(400, {"detail": "tickets are JSON objects"})
    try:
        made = [emu.add_ticket(s) for s in specs]
    except ValueError as exc:
        raise ApiError(400, {"detail": "checked_in_at: %s" % exc})
    return Resp(201, {"tickets": made})


@ADMIN.route("GET", r"/tickets/(?P<ticket_id>[^/]+)")
def admin_get_ticket(emu, data, query, ticket_id):
    return admin_ticket(emu, ticket_id)


@ADMIN.route("PATCH", r"/tickets/(?P<ticket_id>[^/]+)")
def admin_patch_ticket(emu, data, query, ticket_id):
    ticket = admin_ticket(emu, ticket_id)
    for field in ("type", "attendee_name"):
        if field in data:
            ticket[field] = str(data[field])
    if "cancelled" in data:
        ticket["cancelled"] = bool(data["cancelled"])
    if "checked_in" in data:
        ticket["checked_in"] = bool(data["checked_in"])
        ticket["checked_in_at"] = iso(emu.clock) if ticket["checked_in"] else None
    if "checked_in_at" in data and ticket["checked_in"]:
        try:
            ticket["checked_in_at"] = iso(parse_instant(data["checked_in_at"]))
        except ValueError:
            raise ApiError(400, {"detail": "checked_in_at is an ISO 8601 instant with an offset"})
    return ticket


@ADMIN.route("POST", r"/tickets/(?P<ticket_id>[^/]+)/cancel")
def admin_cancel_ticket(emu, data, query, ticket_id):
    ticket = admin_ticket(emu, ticket_id)
    ticket["cancelled"] = True
    return ticket


@ADMIN.route("POST", r"/reset")
def admin_reset(emu, data, query):
    emu.clock = parse_instant(emu.args.clock)
    emu.events.clear()
    emu.tickets.clear()
    emu.scanners.clear()
    emu.faults.clear()
    emu.ticket_seq = 0
    emu.reset_counters()
    populate(emu, emu.args)
    return {"status": "ok"}


# --------------------------------------------------------------------------------------------------
# HTTP


class Handler(ApiHandler):
    server_version = "brightstar-emulator/1"
    log_name = "brightstar_emulator"
    admin = ADMIN
    reset_in_body = True

    def error_body(self, status):
        return {"error": "EMULATED", "message": "Emulated error %d." % status}

    def rate_limit_body(self, wait):
        return {"error": "RATE_LIMITED", "message": "Too many requests."}

    def unauthorized_answer(self):
        return Resp(401, {"error": "UNAUTHORIZED", "message": "A valid Bearer token is required."},
                    headers=[("WWW-Authenticate", 'Bearer realm="brightstar"')])

    def unprocessed_answer(self):
        # Not processed: the request never reached the API, so there is no real answer to cut.
        return Resp(200, {"valid": True, "ticket": {"id": "emulated"}})


# --------------------------------------------------------------------------------------------------
# Start-up


def build(args) -> Emulator:
    emu = Emulator(args)
    populate(emu, args)
    return emu


def populate(emu, args):
    """The data the command line asks for (also after POST /_emulator/reset)."""
    specs = args.event or ["%s=%s" % (SEED_EVENT, DEFAULT_START), "%s=%s" % (LATER_EVENT, LATER_START)]
    for spec in specs:
        event_id, sep, start = spec.partition("=")
        try:
            emu.add_event(event_id, start if sep else DEFAULT_START)
        except ApiError as exc:
            raise SystemExit("--event %s: %s" % (spec, exc.body["detail"]))
    for event_id in emu.events:
        emu.generate_tickets(event_id, args.tickets)
    if SEED_EVENT in emu.events:
        emu.add_ticket(dict(SEED_TICKET, event_id=SEED_EVENT))
    for spec in args.scanner:
        scanner, sep, event_id = spec.partition("=")
        if not sep or not scanner or event_id not in emu.events:
            raise SystemExit("--scanner %s: expected SCANNER_ID=EVENT_ID of a known event" % spec)
        emu.scanners[scanner] = event_id


def parse_args(argv):
    p = argparse.ArgumentParser(description="BrightStar ticket validation emulator for tests (see the module docstring)")
    add_listen_arguments(p)
    p.add_argument("--token", help="require Authorization: Bearer <token> on the API (open without)")
    p.add_argument("--admin-token")
    p.add_argument("--event", action="append", default=[], metavar="ID[=START]")
    p.add_argument("--tickets", type=int, default=20, help="generated tickets per event")
    p.add_argument("--scanner", action="append", default=[], metavar="SCANNER_ID=EVENT_ID")
    p.add_argument("--clock", default=DEFAULT_CLOCK, help="the virtual clock's start (ISO 8601)")
    add_lifetime_arguments(p)
    args = p.parse_args(argv)
    if args.tickets < 0:
        p.error("--tickets must be >= 0")
    try:
        parse_instant(args.clock)
    except ValueError:
        p.error("--clock must be an ISO 8601 instant with an offset")
    return args


def main(argv=None):
    run_emulator(argv, parse_args, build, Handler, "brightstar_emulator", "/v1",
                 ready_fields=lambda emu: {"clock": iso(emu.clock)})


if __name__ == "__main__":
    main()
