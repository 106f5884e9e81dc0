#!/usr/bin/env python3
"""Constant Contact v3 event check-in emulator for the kiosk's tests (issue 12, item 2).

An HTTP server (Python 3 standard library only) that tests start as a subprocess and
talk to over loopback. It serves the two calls of the seed documents 000_9b721a0b5cfb3970.txt
(check-in) and 001_f2b8b1f70d730005.txt (undo), checks the Bearer token, keeps each ticket's
checked-in state, counts what it was asked, and injects faults on request, like
tests/emulators/pretix_emulator.py.
What every emulator shares (the fault table and the fault kinds' wire answers, the admin API's
common endpoints, the HTTP plumbing, the start-up) is in emulator_common.py beside this file;
this file holds what is Constant Contact's own.

COMMAND LINE

    python3 tests/emulators/constantcontact_emulator.py --port 0 --ready-file PATH
        [--token T] [--admin-token T] [--event ID[=STATUS]]... [--ticket EVENT_ID:KEY[=STATUS]]...
        [--tickets N] [--exit-with-parent [--parent-pid PID]] [--verbose]

--port 0 binds a free port on --host (127.0.0.1). When the server accepts connections the ready
file is written atomically: {"port", "url" (the API base up to its version segment,
http://127.0.0.1:PORT/v3), "base" (http://127.0.0.1:PORT), "token", "admin_token", "events": [ids],
"pid"}. SIGTERM / SIGINT stop it; --exit-with-parent also stops it when the process that started
it (or --parent-pid) is gone.

Data. --event ID[=STATUS] makes an event (status ACTIVE unless given; any text is kept, only ACTIVE
and COMPLETE allow check-in and undo). --ticket EVENT_ID:KEY[=STATUS] makes a ticket with that order
ticket key (status ACTIVE unless given; CANCELLED cannot be checked in). --tickets N makes N more
tickets per event, keys k0001..kNNNN. Without --event the seed's example is there: event
07216444-4e3b-41ea-a3b8-5a418fce41f4 (ACTIVE) with tickets a1b2c3 and d4e5f6. --token fixes the
access token (random otherwise), --admin-token the admin API's.

API (the seed's paths under /v3; a trailing slash is tolerated)
  POST /v3/events/{event_id}/check_in/tickets        {"order_ticket_keys": ["a1b2c3", "d4e5f6"]}
  POST /v3/events/{event_id}/undo_check_in/tickets   same body
  Header "Authorization: Bearer <token>"; success: 204 No Content, no body.

Errors. Constant Contact's V3 API guide ("Response Codes",
https://developer.constantcontact.com/api_guide/glossary_responses.html) says errors come as a JSON
array of {"error_key", "error_message"} objects, e.g. [{"error_key": "contacts.api.not_found",
"error_message": "contact_id is in an invalid format."}], with 400 for malformed JSON or a data
validation error, 401 for a bad token, 404 for a missing resource, 415 for a wrong Content-Type.
The seeds document no error for these two calls, so the statuses and keys below are OUR ASSUMPTION
(the client maps them, and falls back on words in the key: see constantcontact_client.h):
  401 [{"error_key": "unauthorized", ...}]               no, malformed or wrong Bearer token
  404 [{"error_key": "events.api.event.not_found", ...}]  no event with that id
  415 [{"error_key": "unsupported_media_type", ...}]      Content-Type not application/json
  400 [{"error_key": "events.api.validation.error", ...}] body not JSON, order_ticket_keys missing,
                                                         not an array of strings, empty, > 500 keys
  400 [{"error_key": "events.api.event.status.invalid", ...}]  the event is not ACTIVE or COMPLETE
                                                         (DRAFT, CANCELLED, ...): one entry
  400 [{"error_key": "events.api.ticket.not_found", ...}, ...]  one entry per unknown key
  400 [{"error_key": "events.api.ticket.cancelled", ...}, ...]  check-in only: one entry per
                                                         CANCELLED ticket (message names the key)
A batch is all or nothing (our assumption, the most plausible reading of "the set of keys"): one
bad key refuses the whole request with an entry per bad key, and nothing is applied. Checking in a
ticket already checked in, and undoing one not checked in, answer 204 and change nothing (marking
a set as checked in / not checked in is idempotent; the seeds document no "already" error). Undo
does not look at the ticket's status (the seed requires only the event's). Keys are compared
exactly (case-sensitive).

ADMIN API (for tests; "Authorization: Bearer <admin_token>" or "X-Admin-Token"; never faulted, not
counted; JSON in and out)
  GET   /_emulator/info                        events with their status and ticket counts, tokens
  GET   /_emulator/counters                    requests ("METHOD /path": n), routes, check_in_requests,
                                               undo_requests, keys_checked_in, keys_undone,
                                               keys_already (check-ins of tickets already in),
                                               keys_not_in (undos of tickets not in), refused
                                               {error_key: n}, batch_sizes [n per request],
                                               faults_fired
  POST  /_emulator/counters/reset
  GET   /_emulator/requests                    the API requests received, in order: method, path,
                                               authorization, content_type, body (text), status
  POST  /_emulator/events                      {"id" (default a new UUID), "status": "ACTIVE",
                                               "name"} -> 201 the event
  GET|PATCH /_emulator/events/{id}             {"status": "DRAFT"}
  POST  /_emulator/events/{id}/tickets         {"key" (default new), "status": "ACTIVE", "checked_in":
                                               false} or {"tickets": [those]} or {"count": n}
                                               -> 201 {"tickets": [...]}
  GET   /_emulator/events/{id}/tickets         every ticket
  GET|PATCH /_emulator/events/{id}/tickets/{key}   {"key", "status", "checked_in", "check_ins",
                                               "undos", "checked_in_at"}; PATCH status / checked_in
  POST  /_emulator/faults                      {"path": "/v3/events/...", "match": "prefix" | "exact"
                                               | "contains" | "regex", "method": "POST", "count": 1,
                                               "skip": 0, "kind": ..., "process": bool} (or a list)
        kinds as the pretix emulator's: "status" (+ "status": 500, optional "body",
        "content_type"), "rate_limit" (429 + Retry-After: "retry_after" s), "slow" (sleep
        "seconds", then answer normally), "reset" (half the head of the answer, or "after_bytes" of
        it, then a TCP reset: the answer never arrives whole), "truncate" (the answer cut to
        "keep_bytes", default half; a 204 becomes a 200 with cut JSON "[{\"error_key\":" : a
        garbage body where none belongs), "content_type" (200 text/html captive-portal page; with
        process the real answer under "content_type"), "unauthorized" (401). "process" (default
        true for slow, reset, truncate, else false) applies the request before the fault: a
        check-in that is recorded but whose answer is lost.
  GET   /_emulator/faults    DELETE /_emulator/faults    DELETE /_emulator/faults/{id}
  POST  /_emulator/shutdown

FIDELITY LIMITS (what it does not emulate)
- Only the two calls above: no events, registrations or tickets listing, no OAuth token endpoint
  (the token is fixed), no scopes or user privileges (403), no rate limits but injected ones.
- The error statuses, keys and messages are our assumption (see Errors); the real API may differ.
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
import uuid
from urllib.parse import unquote

from emulator_common import (AdminApi, ApiError, ApiHandler, EmulatorCore, Resp, add_lifetime_arguments,
                             add_listen_arguments, bearer_matches, run_emulator)

SEED_EVENT = "07216444-4e3b-41ea-a3b8-5a418fce41f4"
SEED_TICKETS = ("a1b2c3", "d4e5f6")
OPEN_STATUSES = ("ACTIVE", "COMPLETE")
MAX_KEYS = 500
FAULT_KINDS = {k: k for k in ("status", "rate_limit", "slow", "reset", "truncate", "content_type", "unauthorized")}
API_ROUTE = re.compile(r"^/v3/events/(?P<event>[^/]+)/(?P<action>check_in|undo_check_in)/tickets/?$")


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def cc_error(status, key, message):
    """Constant Contact's error shape: an array of {error_key, error_message}."""
    return ApiError(status, [{"error_key": key, "error_message": message}])


# --------------------------------------------------------------------------------------------------
# State


class Emulator(EmulatorCore):
    FAULT_KINDS = FAULT_KINDS

    def __init__(self, args):
        super().__init__()
        self.args = args
        self.token = args.token or secrets.token_urlsafe(32)
        self.admin_token = args.admin_token or secrets.token_urlsafe(32)
        self.events = {}                                # id -> {"id", "status", "name", "tickets": {key: ticket}}
        self.key_seq = 0
        self.reset_counters()

    def reset_counters(self):
        self.requests_by_path = {}
        self.requests_by_route = {}
        self.requests = []
        self.faults_fired = []
        self.tally = {"check_in_requests": 0, "undo_requests": 0, "keys_checked_in": 0, "keys_undone": 0,
                      "keys_already": 0, "keys_not_in": 0}
        self.refused = {}
        self.batch_sizes = []

    def counters(self):
        out = dict(self.tally)
        out.update({"requests": dict(self.requests_by_path), "routes": dict(self.requests_by_route),
                    "refused": dict(self.refused), "batch_sizes": list(self.batch_sizes),
                    "faults_fired": list(self.faults_fired)})
        return out

    # --- data --------------------------------------------------------------------------------------

    def add_event(self, event_id=None, status="ACTIVE", name=None):
        event_id = str(event_id or uuid.uuid4())
        if event_id in self.events:
            raise ApiError(400, {"detail": "event %r exists" % event_id})
        self.events[event_id] = {"id": event_id, "status": str(status), "name": str(name or event_id), "tickets": {}}
        return self.events[event_id]

    def add_ticket(self, event, key=None, status="ACTIVE", checked_in=False):
        if key is None:
            self.key_seq += 1
            key = "k%04d" % self.key_seq
            while key in event["tickets"]:
                self.key_seq += 1
                key = "k%04d" % self.key_seq
        key = str(key)
        if not key or key in event["tickets"]:
            raise ApiError(400, {"detail": "ticket key %r is empty or exists" % key})
        ticket = {"key": key, "status": str(status), "checked_in": bool(checked_in), "check_ins": 0, "undos": 0,
                  "checked_in_at": now_iso() if checked_in else None}
        event["tickets"][key] = ticket
        return ticket

    def event_view(self, event):
        tickets = event["tickets"].values()
        return {"id": event["id"], "status": event["status"], "name": event["name"], "tickets": len(event["tickets"]),
                "checked_in": sum(1 for t in tickets if t["checked_in"])}

    # --- the API -----------------------------------------------------------------------------------

    def authenticate(self, headers):
        if not bearer_matches(headers, self.token):
            raise cc_error(401, "unauthorized", "The access token used is invalid.")

    def api(self, method, path, query, headers, body) -> Resp:
        with self.lock:
            match = API_ROUTE.match(path)
            route = "/v3/events/{event_id}/%s/tickets" % match.group("action") if match else "unknown"
            record = self.log_request(method, path, headers, body)
            self.bump(self.requests_by_route, "%s %s" % (method, route))
            try:
                if match is None:
                    raise cc_error(404, "not_found", "The requested resource was not found.")
                if method != "POST":
                    raise cc_error(405, "method_not_allowed", "The requested resource does not support the method used.")
                self.authenticate(headers)
                resp = self.tickets_call(unquote(match.group("event")), match.group("action"), headers, body)
            except ApiError as exc:
                if exc.status == 400 or exc.status == 404:
                    for entry in exc.body:
                        self.bump(self.refused, entry["error_key"])
                headers_out = [("WWW-Authenticate", 'Bearer realm="api.cc.email"')] if exc.status == 401 else []
                resp = Resp(exc.status, exc.body, headers=headers_out)
            except Exception:
                traceback.print_exc()
                resp = Resp(500, raw=b"<h1>Internal Server Error</h1>", ctype="text/html")
            record["status"] = resp.status
            return resp

    def tickets_call(self, event_id, action, headers, body) -> Resp:
        undo = action == "undo_check_in"
        self.tally["undo_requests" if undo else "check_in_requests"] += 1
        event = self.events.get(event_id)
        if event is None:
            raise cc_error(404, "events.api.event.not_found", "Event %s was not found." % event_id)
        ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise cc_error(415, "unsupported_media_type", "The Content-Type must be application/json.")
        keys = self.read_keys(body)
        self.batch_sizes.append(len(keys))
        if event["status"] not in OPEN_STATUSES:
            raise cc_error(400, "events.api.event.status.invalid",
                           "The event must be in ACTIVE or COMPLETE status; it is %s." % event["status"])
        errors = []
        for key in dict.fromkeys(keys):
            ticket = event["tickets"].get(key)
            if ticket is None:
                errors.append({"error_key": "events.api.ticket.not_found",
                               "error_message": "Order ticket key %s was not found for this event." % key})
            elif not undo and ticket["status"] == "CANCELLED":
                errors.append({"error_key": "events.api.ticket.cancelled",
                               "error_message": "Ticket %s has CANCELLED status and cannot be checked in." % key})
        if errors:
            raise ApiError(400, errors)
        for key in dict.fromkeys(keys):
            ticket = event["tickets"][key]
            if undo:
                if ticket["checked_in"]:
                    ticket.update(checked_in=False, checked_in_at=None)
                    ticket["undos"] += 1
                    self.tally["keys_undone"] += 1
                else:
                    self.tally["keys_not_in"] += 1
            elif ticket["checked_in"]:
                self.tally["keys_already"] += 1
            else:
                ticket.update(checked_in=True, checked_in_at=now_iso())
                ticket["check_ins"] += 1
                self.tally["keys_checked_in"] += 1
        return Resp(204)

    @staticmethod
    def read_keys(body):
        def invalid(why):
            return cc_error(400, "events.api.validation.error", "Bad request: %s." % why)

        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise invalid("the body is not valid JSON")
        if not isinstance(data, dict) or "order_ticket_keys" not in data:
            raise invalid("order_ticket_keys is required")
        keys = data["order_ticket_keys"]
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise invalid("order_ticket_keys must be an array of strings")
        if not keys:
            raise invalid("order_ticket_keys must not be empty")
        if len(keys) > MAX_KEYS:
            raise invalid("order_ticket_keys holds more than %d keys" % MAX_KEYS)
        return keys


# --------------------------------------------------------------------------------------------------
# Admin API

ADMIN = AdminApi()      # with /counters, /counters/reset, /requests, /faults..., /shutdown


def admin_event(emu, event_id):
    event = emu.events.get(unquote(event_id))
    if event is None:
        raise ApiError(404, {"detail": "no event %r" % event_id})
    return event


def admin_ticket(emu, event_id, key):
    ticket = admin_event(emu, event_id)["tickets"].get(unquote(key))
    if ticket is None:
        raise ApiError(404, {"detail": "no ticket %r" % key})
    return ticket


@ADMIN.route("GET", r"/info")
def admin_info(emu, data):
    return {"events": [emu.event_view(e) for e in emu.events.values()], "token": emu.token,
            "admin_token": emu.admin_token, "pid": os.getpid()}


@ADMIN.route("POST", r"/events")
def admin_add_event(emu, data):
    event = emu.add_event(data.get("id"), data.get("status", "ACTIVE"), data.get("name"))
    return Resp(201, emu.event_view(event))


@ADMIN.route("GET", r"/events/(?P<event_id>[^/]+)")
def admin_get_event(emu, data, event_id):
    return emu.event_view(admin_event(emu, event_id))


@ADMIN.route("PATCH", r"/events/(?P<event_id>[^/]+)")
def admin_patch_event(emu, data, event_id):
    event = admin_event(emu, event_id)
    for field in ("status", "name"):
        if field in data:
            event[field] = str(data[field])
    return emu.event_view(event)


@ADMIN.route("POST", r"/events/(?P<event_id>[^/]+)/tickets")
def admin_add_tickets(emu, data, event_id):
    event = admin_event(emu, event_id)
    if isinstance(data, list):
        specs = data
    elif "tickets" in data:
        specs = data["tickets"]
    else:
        specs = [dict(data, key=None) if "count" in data else data] * int(data.get("count", 1))
    if not isinstance(specs, list) or not all(isinstance(s, dict) for s in specs):
        raise ApiError(400, {"detail": "tickets are JSON objects"})
    made = [emu.add_ticket(event, s.get("key"), s.get("status", "ACTIVE"), s.get("checked_in", False)) for s in specs]
    return Resp(201, {"tickets": made})


@ADMIN.route("GET", r"/events/(?P<event_id>[^/]+)/tickets")
def admin_tickets(emu, data, event_id):
    return {"tickets": list(admin_event(emu, event_id)["tickets"].values())}


@ADMIN.route("GET", r"/events/(?P<event_id>[^/]+)/tickets/(?P<key>[^/]+)")
def admin_get_ticket(emu, data, event_id, key):
    return admin_ticket(emu, event_id, key)


@ADMIN.route("PATCH", r"/events/(?P<event_id>[^/]+)/tickets/(?P<key>[^/]+)")
def admin_patch_ticket(emu, data, event_id, key):
    ticket = admin_ticket(emu, event_id, key)
    if "status" in data:
        ticket["status"] = str(data["status"])
    if "checked_in" in data:
        ticket["checked_in"] = bool(data["checked_in"])
        ticket["checked_in_at"] = now_iso() if ticket["checked_in"] else None
    return ticket


# --------------------------------------------------------------------------------------------------
# HTTP


class Handler(ApiHandler):
    server_version = "constantcontact-emulator/1"
    log_name = "constantcontact_emulator"
    admin = ADMIN
    empty_body_cut = b'[{"error_key":'     # a truncated 204: a garbage body where none belongs

    def error_body(self, status):
        return [{"error_key": "emulated", "error_message": "Emulated error %d." % status}]

    def rate_limit_body(self, wait):
        return [{"error_key": "too_many_requests", "error_message": "Too many requests."}]

    def unauthorized_answer(self):
        return Resp(401, [{"error_key": "unauthorized", "error_message": "The access token used is invalid."}],
                    headers=[("WWW-Authenticate", 'Bearer realm="api.cc.email"')])


# --------------------------------------------------------------------------------------------------
# Start-up


def split_status(text, default="ACTIVE"):
    name, sep, status = text.partition("=")
    return name, (status if sep else default)


def build(args) -> Emulator:
    emu = Emulator(args)
    if not args.event:
        event = emu.add_event(SEED_EVENT, "ACTIVE")
        for key in SEED_TICKETS:
            emu.add_ticket(event, key)
    for spec in args.event:
        emu.add_event(*split_status(spec))
    for spec in args.ticket:
        event_id, sep, rest = spec.rpartition(":")
        if not sep or event_id not in emu.events:
            raise SystemExit("--ticket %s: expected EVENT_ID:KEY[=STATUS] of an event given with --event" % spec)
        key, status = split_status(rest)
        emu.add_ticket(emu.events[event_id], key, status)
    for event in emu.events.values():
        for _ in range(args.tickets):
            emu.add_ticket(event)
    return emu


def parse_args(argv):
    p = argparse.ArgumentParser(description="Constant Contact v3 check-in emulator for tests (see the module docstring)")
    add_listen_arguments(p)
    p.add_argument("--token", help="the OAuth access token the API accepts (random otherwise)")
    p.add_argument("--admin-token")
    p.add_argument("--event", action="append", default=[], metavar="ID[=STATUS]")
    p.add_argument("--ticket", action="append", default=[], metavar="EVENT_ID:KEY[=STATUS]")
    p.add_argument("--tickets", type=int, default=0, help="N more tickets per event, keys k0001..")
    add_lifetime_arguments(p)
    args = p.parse_args(argv)
    if args.tickets < 0:
        p.error("--tickets must be >= 0")
    return args


def main(argv=None):
    run_emulator(argv, parse_args, build, Handler, "constantcontact_emulator", "/v3")


if __name__ == "__main__":
    main()
