#!/usr/bin/env python3
"""Constant Contact v3 event check-in emulator for the kiosk's tests (issue 12, item 2).

A single-file HTTP server (Python 3 standard library only) that tests start as a subprocess and
talk to over loopback. It serves the two calls of the seed documents 000_9b721a0b5cfb3970.txt
(check-in) and 001_f2b8b1f70d730005.txt (undo), checks the Bearer token, keeps each ticket's
checked-in state, counts what it was asked, and injects faults on request, like
tests/emulators/pretix_emulator.py.

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
import http.server
import json
import os
import re
import secrets
import signal
import socket
import struct
import sys
import threading
import time
import traceback
import uuid
from urllib.parse import unquote, urlsplit

SEED_EVENT = "07216444-4e3b-41ea-a3b8-5a418fce41f4"
SEED_TICKETS = ("a1b2c3", "d4e5f6")
OPEN_STATUSES = ("ACTIVE", "COMPLETE")
MAX_KEYS = 500
FAULT_KINDS = {k: k for k in ("status", "rate_limit", "slow", "reset", "truncate", "content_type", "unauthorized")}
API_ROUTE = re.compile(r"^/v3/events/(?P<event>[^/]+)/(?P<action>check_in|undo_check_in)/tickets/?$")


def js(obj) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ApiError(Exception):
    def __init__(self, status, body):
        super().__init__(status)
        self.status = status
        self.body = body


def cc_error(status, key, message):
    """Constant Contact's error shape: an array of {error_key, error_message}."""
    return ApiError(status, [{"error_key": key, "error_message": message}])


class Resp:
    def __init__(self, status, obj=None, *, raw=None, ctype="application/json", headers=None):
        self.status = status
        if raw is not None:
            self.body = raw if isinstance(raw, bytes) else raw.encode("utf-8")
        elif obj is not None:
            self.body = js(obj).encode("utf-8")
        else:
            self.body = b""
        self.ctype = ctype if self.body or status != 204 else None
        self.headers = list(headers or [])


# --------------------------------------------------------------------------------------------------
# State


class Emulator:
    def __init__(self, args):
        self.args = args
        self.token = args.token or secrets.token_urlsafe(32)
        self.admin_token = args.admin_token or secrets.token_urlsafe(32)
        self.lock = threading.RLock()
        self.events = {}                                # id -> {"id", "status", "name", "tickets": {key: ticket}}
        self.faults = []
        self.fault_seq = 0
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

    @staticmethod
    def bump(counter, key, n=1):
        counter[key] = counter.get(key, 0) + n

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

    # --- faults (as the pretix emulator's) ---------------------------------------------------------

    def add_fault(self, spec):
        if not isinstance(spec, dict):
            raise ApiError(400, {"detail": "a fault is a JSON object"})
        kind = FAULT_KINDS.get(str(spec.get("kind", "status")))
        if kind is None:
            raise ApiError(400, {"detail": "unknown fault kind %r; one of %s" % (spec.get("kind"), sorted(FAULT_KINDS))})
        path = spec.get("path", "/")
        match = spec.get("match", "prefix")
        if match not in ("prefix", "exact", "regex", "contains"):
            raise ApiError(400, {"detail": "match is prefix, exact, contains or regex"})
        if match == "regex":
            try:
                re.compile(path)
            except re.error as exc:
                raise ApiError(400, {"detail": "bad regex: %s" % exc})
        self.fault_seq += 1
        fault = {"id": self.fault_seq, "kind": kind, "path": path, "match": match,
                 "method": (spec.get("method") or "").upper() or None, "count": int(spec.get("count", 1)),
                 "skip": int(spec.get("skip", 0)), "status": int(spec.get("status", 500)),
                 "body": spec.get("body"), "content_type": spec.get("content_type"),
                 "retry_after": spec.get("retry_after", 1), "seconds": float(spec.get("seconds", 2.0)),
                 "after_bytes": spec.get("after_bytes"), "keep_bytes": spec.get("keep_bytes"),
                 "process": bool(spec.get("process", kind in ("slow", "reset", "truncate")))}
        self.faults.append(fault)
        return fault

    def take_fault(self, method, path):
        with self.lock:
            for fault in self.faults:
                if fault["method"] and fault["method"] != method:
                    continue
                p, m = fault["path"], fault["match"]
                if not ((m == "prefix" and path.startswith(p)) or (m == "exact" and path == p)
                        or (m == "contains" and p in path) or (m == "regex" and re.search(p, path))):
                    continue
                if fault["skip"] > 0:
                    fault["skip"] -= 1
                    continue
                fault["count"] -= 1
                if fault["count"] <= 0:
                    self.faults.remove(fault)
                self.faults_fired.append({"id": fault["id"], "kind": fault["kind"], "method": method, "path": path})
                return dict(fault)
        return None

    # --- the API -----------------------------------------------------------------------------------

    def authenticate(self, headers):
        value = headers.get("Authorization") or ""
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(token.strip().encode(), self.token.encode()):
            raise cc_error(401, "unauthorized", "The access token used is invalid.")

    def api(self, method, path, headers, body) -> Resp:
        with self.lock:
            match = API_ROUTE.match(path)
            route = "/v3/events/{event_id}/%s/tickets" % match.group("action") if match else "unknown"
            self.bump(self.requests_by_path, "%s %s" % (method, path))
            self.bump(self.requests_by_route, "%s %s" % (method, route))
            record = {"method": method, "path": path, "authorization": headers.get("Authorization"),
                      "content_type": headers.get("Content-Type"), "body": body.decode("utf-8", "replace")}
            self.requests.append(record)
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

ADMIN_ROUTES = []


def admin_route(method, pattern):
    def wrap(fn):
        ADMIN_ROUTES.append((method, re.compile("^/_emulator" + pattern + "/?$"), fn))
        return fn
    return wrap


def admin_body(body):
    if not body:
        return {}
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, {"detail": "the body is not JSON"})
    if not isinstance(data, (dict, list)):
        raise ApiError(400, {"detail": "expected a JSON object"})
    return data


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


@admin_route("GET", r"/info")
def admin_info(emu, data):
    return {"events": [emu.event_view(e) for e in emu.events.values()], "token": emu.token,
            "admin_token": emu.admin_token, "pid": os.getpid()}


@admin_route("GET", r"/counters")
def admin_counters(emu, data):
    return emu.counters()


@admin_route("POST", r"/counters/reset")
def admin_counters_reset(emu, data):
    emu.reset_counters()
    return {"status": "ok"}


@admin_route("GET", r"/requests")
def admin_requests(emu, data):
    return {"count": len(emu.requests), "results": emu.requests}


@admin_route("POST", r"/events")
def admin_add_event(emu, data):
    event = emu.add_event(data.get("id"), data.get("status", "ACTIVE"), data.get("name"))
    return Resp(201, emu.event_view(event))


@admin_route("GET", r"/events/(?P<event_id>[^/]+)")
def admin_get_event(emu, data, event_id):
    return emu.event_view(admin_event(emu, event_id))


@admin_route("PATCH", r"/events/(?P<event_id>[^/]+)")
def admin_patch_event(emu, data, event_id):
    event = admin_event(emu, event_id)
    for field in ("status", "name"):
        if field in data:
            event[field] = str(data[field])
    return emu.event_view(event)


@admin_route("POST", r"/events/(?P<event_id>[^/]+)/tickets")
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


@admin_route("GET", r"/events/(?P<event_id>[^/]+)/tickets")
def admin_tickets(emu, data, event_id):
    return {"tickets": list(admin_event(emu, event_id)["tickets"].values())}


@admin_route("GET", r"/events/(?P<event_id>[^/]+)/tickets/(?P<key>[^/]+)")
def admin_get_ticket(emu, data, event_id, key):
    return admin_ticket(emu, event_id, key)


@admin_route("PATCH", r"/events/(?P<event_id>[^/]+)/tickets/(?P<key>[^/]+)")
def admin_patch_ticket(emu, data, event_id, key):
    ticket = admin_ticket(emu, event_id, key)
    if "status" in data:
        ticket["status"] = str(data["status"])
    if "checked_in" in data:
        ticket["checked_in"] = bool(data["checked_in"])
        ticket["checked_in_at"] = now_iso() if ticket["checked_in"] else None
    return ticket


@admin_route("POST", r"/faults")
def admin_add_fault(emu, data):
    specs = data if isinstance(data, list) else [data]
    added = [emu.add_fault(spec) for spec in specs]
    return Resp(201, added if isinstance(data, list) else added[0])


@admin_route("GET", r"/faults")
def admin_faults(emu, data):
    return {"faults": emu.faults, "fired": emu.faults_fired}


@admin_route("DELETE", r"/faults")
def admin_clear_faults(emu, data):
    emu.faults.clear()
    return {"status": "ok"}


@admin_route("DELETE", r"/faults/(?P<fid>[0-9]+)")
def admin_delete_fault(emu, data, fid):
    before = len(emu.faults)
    emu.faults[:] = [f for f in emu.faults if f["id"] != int(fid)]
    if len(emu.faults) == before:
        raise ApiError(404, {"detail": "no fault %s" % fid})
    return {"status": "ok"}


@admin_route("POST", r"/shutdown")
def admin_shutdown(emu, data):
    threading.Thread(target=emu.server.shutdown, daemon=True).start()
    return {"status": "ok"}


def admin_dispatch(emu, method, path, headers, body) -> Resp:
    header = headers.get("Authorization") or ""
    token = header[7:].strip() if header.lower().startswith("bearer ") else (headers.get("X-Admin-Token") or "")
    if not secrets.compare_digest(token.encode(), emu.admin_token.encode()):
        return Resp(401, {"detail": "admin token required (Authorization: Bearer <admin_token>)"})
    path = path.rstrip("/") or "/"
    allowed = False
    for route_method, pattern, fn in ADMIN_ROUTES:
        match = pattern.match(path)
        if not match:
            continue
        if route_method != method:
            allowed = True
            continue
        with emu.lock:
            try:
                out = fn(emu, admin_body(body), **match.groupdict())
            except ApiError as exc:
                return Resp(exc.status, exc.body)
            except Exception as exc:
                traceback.print_exc()
                return Resp(500, {"detail": "%s: %s" % (type(exc).__name__, exc)})
        return out if isinstance(out, Resp) else Resp(200, out)
    return Resp(405 if allowed else 404, {"detail": "no such admin endpoint: %s %s" % (method, path)})


# --------------------------------------------------------------------------------------------------
# HTTP


PORTAL = (b"<!DOCTYPE html><html><head><title>Venue Wi-Fi</title></head><body><h1>Welcome to the venue Wi-Fi</h1>"
          b"<p>Please accept the terms of use to continue.</p></body></html>")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "constantcontact-emulator/1"

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):
        if self.server.emu.args.verbose:
            sys.stderr.write("constantcontact_emulator: %s\n" % (fmt % args))

    def do_GET(self):
        self.handle_method("GET")

    def do_POST(self):
        self.handle_method("POST")

    def do_PUT(self):
        self.handle_method("PUT")

    def do_PATCH(self):
        self.handle_method("PATCH")

    def do_DELETE(self):
        self.handle_method("DELETE")

    def read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def handle_method(self, method):
        emu = self.server.emu
        try:
            body = self.read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        path = urlsplit(self.path).path
        if path == "/_emulator" or path.startswith("/_emulator/"):
            self.send(admin_dispatch(emu, method, path, self.headers, body))
            return
        fault = emu.take_fault(method, path)
        if fault and fault["kind"] == "slow":
            time.sleep(fault["seconds"])
            fault = None
        if fault and not fault["process"]:
            with emu.lock:      # a faulted request is still a request the server received
                emu.bump(emu.requests_by_path, "%s %s" % (method, path))
            self.send_fault(fault, None)
            return
        resp = emu.api(method, path, self.headers, body)
        if fault:
            self.send_fault(fault, resp)
        else:
            self.send(resp)

    def send(self, resp: Resp):
        self.send_response(resp.status)
        if resp.ctype:
            self.send_header("Content-Type", resp.ctype)
        if resp.status != 204:
            self.send_header("Content-Length", str(len(resp.body)))
        for key, value in resp.headers:
            self.send_header(key, value)
        self.write_head_and_body(resp.body if resp.status != 204 else b"")

    def write_head_and_body(self, body):
        # one write per answer (headers and body apart meet Nagle and delayed ACK: 40 ms on loopback)
        self._headers_buffer.append(b"\r\n")
        data = b"".join(self._headers_buffer) + body
        self._headers_buffer = []
        self.wfile.write(data)

    def send_fault(self, fault, resp):
        kind = fault["kind"]
        if kind == "status":
            status = fault["status"]
            if fault["body"] is not None:
                raw = fault["body"] if isinstance(fault["body"], str) else js(fault["body"])
                ctype = "text/plain" if isinstance(fault["body"], str) else "application/json"
            elif status >= 500:
                raw, ctype = "<html><body><h1>%d Server Error</h1></body></html>" % status, "text/html"
            else:
                raw, ctype = js([{"error_key": "emulated", "error_message": "Emulated error %d." % status}]), "application/json"
            self.send(Resp(status, raw=raw, ctype=fault["content_type"] or ctype))
        elif kind == "rate_limit":
            wait = fault["retry_after"]
            self.send(Resp(429, [{"error_key": "too_many_requests", "error_message": "Too many requests."}],
                           headers=[("Retry-After", str(wait))]))
        elif kind == "unauthorized":
            self.send(Resp(401, [{"error_key": "unauthorized", "error_message": "The access token used is invalid."}],
                           headers=[("WWW-Authenticate", 'Bearer realm="api.cc.email"')]))
        elif kind == "content_type":
            ctype = fault["content_type"] or "text/html; charset=utf-8"
            if resp is not None:
                self.send(Resp(resp.status, raw=resp.body, ctype=ctype, headers=resp.headers))
            else:
                self.send(Resp(200, raw=PORTAL, ctype=ctype))
        elif kind == "truncate":
            if resp.body:
                keep = fault["keep_bytes"] if fault["keep_bytes"] is not None else len(resp.body) // 2
                raw = resp.body[:max(0, min(int(keep), len(resp.body) - 1))]
                self.send(Resp(resp.status, raw=raw, ctype=resp.ctype, headers=resp.headers))
            else:
                self.send(Resp(200, raw=b'[{"error_key":', ctype="application/json"))
        elif kind == "reset":
            # The head as it would go out, cut short, then a TCP reset: the answer never arrives whole.
            self.send_response(resp.status)
            if resp.ctype:
                self.send_header("Content-Type", resp.ctype)
            if resp.status != 204:
                self.send_header("Content-Length", str(len(resp.body)))
            self._headers_buffer.append(b"\r\n")
            data = b"".join(self._headers_buffer) + (resp.body if resp.status != 204 else b"")
            self._headers_buffer = []
            cut = fault["after_bytes"] if fault["after_bytes"] is not None else len(data) // 2
            cut = max(0, min(int(cut), len(data) - 1))
            try:
                self.wfile.write(data[:cut])
                self.wfile.flush()
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()             # with SO_LINGER 0 this is a TCP reset
            except OSError:
                pass
            self.close_connection = True

    def setup(self):
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, BrokenPipeError, OSError)):
            super().handle_error(request, client_address)


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


def write_ready_file(path, info):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(info, f)
    os.replace(tmp, path)


def parse_args(argv):
    p = argparse.ArgumentParser(description="Constant Contact v3 check-in emulator for tests (see the module docstring)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port (written to --ready-file)")
    p.add_argument("--ready-file", help="written as JSON once the emulator accepts connections")
    p.add_argument("--token", help="the OAuth access token the API accepts (random otherwise)")
    p.add_argument("--admin-token")
    p.add_argument("--event", action="append", default=[], metavar="ID[=STATUS]")
    p.add_argument("--ticket", action="append", default=[], metavar="EVENT_ID:KEY[=STATUS]")
    p.add_argument("--tickets", type=int, default=0, help="N more tickets per event, keys k0001..")
    p.add_argument("--exit-with-parent", action="store_true",
                   help="stop when the process that started the emulator is gone (a crashed test)")
    p.add_argument("--parent-pid", type=int, help="with --exit-with-parent: watch this process instead")
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args(argv)
    if args.tickets < 0:
        p.error("--tickets must be >= 0")
    return args


def main(argv=None):
    parent = os.getppid()
    args = parse_args(sys.argv[1:] if argv is None else argv)
    emu = build(args)
    server = Server((args.host, args.port), Handler)
    server.emu = emu
    emu.server = server
    port = server.server_address[1]
    base = "http://%s:%d" % (args.host, port)
    info = {"port": port, "url": base + "/v3", "base": base, "token": emu.token, "admin_token": emu.admin_token,
            "events": list(emu.events), "pid": os.getpid()}

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.exit_with_parent:
        def alive():
            if args.parent_pid:
                try:
                    os.kill(args.parent_pid, 0)
                    return True
                except ProcessLookupError:
                    return False
                except PermissionError:
                    return True
            return os.getppid() == parent

        def watch():
            while alive():
                time.sleep(0.5)
            server.shutdown()

        threading.Thread(target=watch, daemon=True).start()
    if args.ready_file:
        write_ready_file(args.ready_file, info)
    if args.verbose:
        sys.stderr.write("constantcontact_emulator: listening on %s\n" % info["url"])
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
