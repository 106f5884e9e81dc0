#!/usr/bin/env python3
"""pretix REST API emulator for the kiosk's tests (issue 10, item 7).

An HTTP server (Python 3 standard library only) that tests start as a subprocess and
talk to over loopback. It serves generated events of any size and event directories in pretix API
JSON (like assets/demo) in pretix's resource shapes, paginates, answers the incremental-sync
parameters and 304s, checks team and device tokens and device initialisation, records check-ins,
annulments and failed scans with pretix's nonce semantics, and injects faults on request. It
follows ../shared/reference/pretix.md and the seed document 002_093ee3bffa7028b8.txt; where they are
silent, pretix's own API code. The fault table, the HTTP plumbing and the start-up (flags, ready
file, --exit-with-parent) are the emulators' shared ones, in emulator_common.py beside this file.

COMMAND LINE

    python3 tests/emulators/pretix_emulator.py --port 0 --ready-file PATH
        [--events N] [--positions M] [--seed S] [--subevents K] [--event-date YYYY-MM-DD]
        [--timezone TZ] [--organizer ORG] [--load DIR]... [--state-dir DIR]
        [--admin-token T] [--team-token T] [--init-token T] [--clock ISO]
        [--no-gzip] [--gzip-level 1] [--upload-limit BYTES] [--warm QUERY]...
        [--exit-with-parent [--parent-pid PID]] [--verbose]

--port 0 binds a free port on --host (127.0.0.1). When the server accepts connections the ready
file is written atomically: {"port", "url", "admin_token", "team_token", "init_token",
"organizer", "events": [slugs], "pid"}. SIGTERM / SIGINT stop it (SIGKILL is fine with a state dir);
--exit-with-parent also stops it when the process that started it (or --parent-pid) is gone: a
crashed test leaves no emulator behind.

Data
- --events N generated events event1..eventN (default 1, or 0 with --load), each with M order
  positions (--positions, default 1000) derived from --seed: the same arguments give the same data
  (byte for byte, apart from the port in next / previous URLs). Orders are computed from (seed,
  event, index) when asked for and rendered from templates, so 100,000 positions start in about a
  second and cost memory only for what tests change. The catalog mirrors assets/demo, ids 1000*k + n
  for event k: items +1 Conference pass (variations +11 Regular, +12 Student), +2 Day pass valid on
  the second day, +3 Speaker pass (checkin_attention), +4 Workshop add-on, +5 Conference dinner
  add-on (not admission); check-in lists +21 Main entrance (all products), +22 Workshop room
  (addon_match), +23 Speakers' lounge (multiple entries, rule: speaker pass and entries_today < 3),
  +601.. one per date of a series; questions +31 T-shirt (C, required), +32 dietary needs (C), +33
  "please specify" (S, only when +32 is DIET-OTHER), +34 code of conduct (B, required), +35 phone
  (TEL, speakers), +36 company and +37 date of birth (not asked at check-in); a badge layout and its
  item assignments; 3 revoked secrets; a blocked secret per blocked position; an Ed25519 pretix_sig1
  key derived from the seed. Positions are 10,000,000*k + n (objects the admin API adds get ids from
  900,000,000), about 1.5 per order: 90 % of orders paid, 5 % pending (a quarter require approval,
  some valid_if_pending), expired, canceled; single canceled and blocked positions, ~5 % checked in
  on the first morning (some left again), ~3 % lacking a required check-in answer. --subevents K
  (0..300) makes them series with K dates; --event-date (default 2027-03-16, the demo's day) and
  --timezone (Europe/Berlin) place them.
- --load DIR (repeatable) serves an event directory: event.json and items, checkinlists,
  questions, subevents, orders, revokedsecrets, blockedsecrets, badgelayouts, badgeitems .json,
  each a list page or a bare array (badgeitems default to the layouts' item_assignments).
- Tokens: one team token and one device not yet initialised (init_token) exist from the start;
  the admin API makes more. --admin-token / --team-token / --init-token fix them.

Clock. The emulator runs pretix's clock: real time plus an offset chosen at the first start so that
it is never before the newest timestamp in the data (generated and demo data are dated 16 March
2027, so by default the emulator lives on that morning), strictly increasing, kept across restarts
(--clock ISO sets it at the first start; POST /_emulator/clock moves it forward). X-Page-Generated,
Last-Modified, last_modified of changed orders, and the time of a redeem or annulment without a
datetime come from it; send datetime in uploads and annulments as real scanners do.

--state-dir DIR keeps config.json (data arguments, tokens, clock offset) and journal.jsonl (every
change as one JSON line, flushed before the answer is sent, so a SIGKILL loses nothing answered).
A restart with the same data arguments replays it: orders, check-ins, annulments, failed scans,
lists and other resources, secrets, devices, tokens, uploads and idempotency keys survive; request
counters and faults start empty (accepted check-ins and annulments are recounted from the
records). Different data arguments than the state was made with are refused.

--warm QUERY (repeatable) renders every generated order for the variant a query string asks for
(include_canceled_positions, exclude) before the ready file is written. Rendering costs the
emulator ~60-100 us per order the first time (a 100,000-position full sync: ~6 s of CPU; cached:
~1.5 s), so benchmarks of the client's full sync should warm with the client's query.

API (under /api/v1; trailing slashes optional; JSON compact UTF-8; gzip when asked and > 512 bytes)
  POST device/initialize                        {token, hardware_brand, hardware_model, os_name,
                                                os_version, software_brand, software_version}
                                                -> 200 {organizer, device_id, unique_serial,
                                                api_token, name, security_profile, gate}; unknown
                                                or used token -> 400 {"token": [message]}
  GET device/info, POST device/update, device/roll, device/revoke (Device token)
  POST upload                                   raw body, Content-Type png/jpeg/gif/pdf,
                                                Content-Disposition filename -> 201 {"id": "file:<uuid>"}
  GET organizers/{org}/events/                  events the token may see
  GET organizers/{org}/events/{ev}/             the event, with valid_keys.pretix_sig1
  GET .../{ev}/items/ checkinlists/ questions/ subevents/   Last-Modified; If-Modified-Since -> 304
                                                (If-Unmodified-Since -> 412); subevents also
                                                modified_since; checkinlists subevent,
                                                subevent_match, live checkin_count/position_count
  GET .../{ev}/revokedsecrets/?created_since=   GET .../{ev}/blockedsecrets/?updated_since=&blocked=
  GET .../{ev}/badgelayouts/ badgeitems/        and /{id}/ of every kind above
  GET .../{ev}/orders/                          modified_since (last_modified >=), created_since /
                                                created_before (datetime), status, code, email,
                                                locale, testmode, require_approval; ordering
                                                datetime (default), code, status, last_modified
                                                (- for descending, ties by creation);
                                                include_canceled_positions=true; exclude=field or
                                                positions.field; X-Page-Generated
  GET .../{ev}/orders/{code}/
  GET .../{ev}/checkinlists/{id}/status/        pretix's list status
  GET .../{ev}/checkinlists/{id}/positions/     search, secret, order, has_checkin, ignore_status
  POST .../{ev}/checkinlists/{id}/positions/{secret or id}/redeem/   (untrusted_input; the body as
                                                below plus canceled_supported)
  POST .../{ev}/checkinlists/{id}/failed_checkins/
  POST organizers/{org}/checkinrpc/redeem/      secret, lists, type, datetime, force, nonce,
                                                answers, questions_supported, ignore_unpaid
  POST organizers/{org}/checkinrpc/annul/       lists, nonce, datetime, error_explanation
  GET organizers/{org}/checkinrpc/search/?list=&search=&ignore_status=
Lists: {"count", "next", "previous", "results"}, ?page=N (or last), page_size up to 50, next and
previous absolute (http://<Host header>/...?sorted query), invalid page -> 404 {"detail":
"Invalid page."}. Auth: "Authorization: Token <team token>" or "Device <api_token>"; none -> 401
"Authentication credentials were not provided.", unknown -> 401 "Invalid token.", revoked device
-> 401 "Device access has been revoked.", other organizer / unknown or forbidden event -> 403 (as
pretix). X-Idempotency-Key on writes replays the stored answer (header X-Idempotency-Replay: true).

Redeem decides in the order of reference/pretix.md: unknown -> 404 invalid (revoked secret -> 400
revoked, or with force the position it belonged to), several -> ambiguous, canceled or expired,
blocked, unapproved, invalid_time (entry), product, list subevent (invalid), unpaid, rules (entry),
incomplete (questions asked at check-in with no valid answer, dependency-aware; valid answers given
are saved even if the scan fails later), then the nonce (the same nonce on the same position and
list, or as its latest check-in, answers ok and creates nothing), then already_redeemed, then the
check-in (201). force passes revoked, invalid_time, unpaid, rules, questions and already_redeemed.
Every refused scan (but incomplete) is recorded as an unsuccessful check-in with its nonce, as
pretix does. Annul finds the check-in by nonce on the lists: none -> 404, several or unsuccessful ->
400, more than 15 minutes before the annulment's datetime -> 400, made by another device (or by a
device while the caller is a team token) -> 400; else 200 {"status": "ok"}, the check-in leaves the
position and the order's last_modified moves. failed_checkins validates error_reason and
raw_barcode, deduplicates by nonce (per position, else per list and barcode) and answers 201 with
the stored fields.

ADMIN API (for tests; "Authorization: Bearer <admin_token>" or "X-Admin-Token"; never faulted, not
counted; JSON in and out)
  GET  /_emulator/info                        organizer, events (orders, lists, items), tokens, clock
  GET  /_emulator/counters                    requests ("METHOD /path": n), routes, accepted_checkins
                                              {nonce: n}, deduplicated_checkins, annulments,
                                              annulments_refused {nonce: [why]},
                                              failed_checkins_by_nonce, redeem_results {"ok",
                                              "error:<reason>", "incomplete"}, faults_fired,
                                              device_initializations, uploads, idempotent_replays,
                                              failed_checkins, not_modified
  POST /_emulator/counters/reset
  GET  /_emulator/checkins?nonce=&event=&list=&position=&source=&successful=   the records
  POST /_emulator/faults                      {"path": "/api/v1/...", "match": "prefix" | "exact" |
                                              "contains" | "regex", "method": "GET", "count": 1,
                                              "skip": 0, "kind": ..., "process": bool} (or a list)
        kinds: "status" (+ "status": 500, optional "body", "content_type"), "rate_limit" (429 +
        Retry-After: "retry_after" s), "slow" (sleep "seconds", then answer normally),
        "reset" (headers and "after_bytes" of the body, default half, then a TCP reset),
        "truncate" (200 with the body cut to "keep_bytes", default half, Content-Length matching:
        invalid JSON), "content_type" (200 text/html captive-portal page; with process the real
        body under "content_type"), "unauthorized" (401 Invalid token). "process" (default true
        for slow, reset, truncate, else false) handles the request before the fault is applied:
        a redeem that is committed but answered with 500 or a reset.
  GET  /_emulator/faults     DELETE /_emulator/faults     DELETE /_emulator/faults/{id}
  POST /_emulator/devices                     {"name", "events": null | [slugs], "gate": "North"}
                                              -> the device with init_token and a handshake QR object
  GET  /_emulator/devices    POST /_emulator/devices/{id}/revoke
  POST /_emulator/teamtokens {"events": null | [slugs]} -> {"token"};  POST .../{token}/revoke
  GET|POST /_emulator/clock  {"advance_seconds": s}
  POST /_emulator/warm       {"event": slug or null, "query": "include_canceled_positions=true"}
  POST /_emulator/shutdown
  GET  /_emulator/events/{ev}/positions?status=p&item=&canceled=&blocked=&secret=&limit=&offset=
                                              tickets to scan: id, secret, order, statuses, name
  GET  /_emulator/events/{ev}/orders/{code}   the stored order (canceled positions included)
  POST /_emulator/events/{ev}/orders          {"raw": {...}} stores an order exactly as given
                                              (malformed-record tests; broken positions are served
                                              but never matched), or {"status": "p", "email",
                                              "require_approval", "valid_if_pending",
                                              "checkin_attention", "signed",
                                              "count": n, "positions": [{"item", "variation",
                                              "attendee_name", "secret", "subevent", "addon_to":
                                              index, "answers", "blocked", "valid_from",
                                              "valid_until", "signed"}]} -> 201 {"orders": [...]}
  PATCH /_emulator/events/{ev}/orders/{code}  order fields, "positions": {"<id>": {fields}}
  POST /_emulator/events/{ev}/orders/{code}/cancel
  POST /_emulator/events/{ev}/positions/{id}/cancel
  POST /_emulator/events/{ev}/positions/{id}/regenerate_secret   old secret -> revokedsecrets
  POST /_emulator/events/{ev}/positions/{id}/block {"blocked": true}   position + blockedsecrets
  POST /_emulator/events/{ev}/revokedsecrets {"secret", "position"}
  POST /_emulator/events/{ev}/blockedsecrets {"secret", "blocked"}
  POST /_emulator/events/{ev}/signed_secret  {"item", "variation", "subevent", "valid_from",
                                              "valid_until"} -> a pretix_sig1 ticket no order holds
                                              (online it is invalid; a ticket sold after the last
                                              sync is an order added with "signed": true)
  PATCH /_emulator/events/{ev}               event fields
  POST|PATCH|DELETE /_emulator/events/{ev}/{items|checkinlists|questions|subevents|badgelayouts|
                                              badgeitems}[/{id}]   (moves that kind's Last-Modified)
Every change moves the order's last_modified (or the resource's Last-Modified, or a secret's
created / updated) so that incremental sync picks it up.

FIDELITY LIMITS (what it does not emulate)
- Only the endpoints above. No write API for orders, items or lists (tests change data through the
  admin API), no vouchers, quotas, invoices, seats, reusable media, customers, webhooks, gates on
  lists, exit_all_at, auto check-in, ticket or badge downloads (the URLs are in the data but not
  served), pdf_data, expand, device event selection, medium key sets, OAuth or session auth, TLS,
  HTTP/2, HEAD.
- Permissions: a team token or device may do everything in the events it may see; security
  profiles and per-permission 403s are not emulated.
- Filters and orderings only as listed; unknown query parameters are ignored. Revoked and blocked
  secrets are listed oldest first (pretix's default order may differ). X-Page-Generated is sent on
  every list (pretix: orders and a few others).
- Last-Modified has whole seconds as in pretix, but a change always moves it to a later second
  than any answer already given, so a change is never hidden behind a 304 (pretix can do that
  within one second).
- A check-in, answers given with a scan, and an annulment move the order's last_modified (so other
  devices' check-ins reach incremental sync); refused scans do not.
- Subevent mismatch answers "invalid" (reference/pretix.md); some pretix versions say "product".
  Rules are JsonLogic with pretix's operators; reason_explanation is one coarse phrase per failing
  clause ("Ticket type not allowed", "Maximum number of entries exceeded", ...), not pretix's text.
  checkin_texts come from order, item and variation only. canceled_supported is honoured on the
  per-list endpoint only (checkinrpc always says canceled, like pretix).
- Annulment of another device's check-in by a device answers 400 (reference/pretix.md); pretix's
  code answers 404 there because a device only sees its own check-ins.
- Answers are validated with simple rules (numbers and dates with their limits, e-mail and phone
  by pattern, country as two letters, choices by option id, files by upload id and owner); pretix
  uses phonenumbers and full country lists.
- Idempotency keys never expire (pretix: 24 h). Requests are served one at a time under one lock.
- List status and the lists' checkin_count / position_count are computed live as the reference
  describes (valid_if_pending orders count): for the demo that is 324 / 246 on lists 11 / 13 where
  assets/demo/checkinlists.json says 323 / 245. Checked-in and inside counts use the positions'
  check-ins; "inside" means the latest check-in on the list is an entry.
- Generated positions use random secrets (pretix's random generator); signed secrets exist only
  for orders added with "signed" and from /signed_secret. Upload checks type and size only.
- Generated data is plausible, not statistically real: names come from small per-script lists,
  every order is web/banktransfer or stripe, no fees, invoices or invoice addresses.
"""

from __future__ import annotations

import argparse
import base64
import bisect
import copy
import datetime as dt
import email.utils
import gzip
import hashlib
import json
import os
import re
import secrets as _secrets
import struct
import sys
import threading
import time
import traceback
import uuid
from array import array
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit
from zoneinfo import ZoneInfo

from emulator_common import (ApiError, EmulatorCore, EmulatorHandler, add_lifetime_arguments, add_listen_arguments,
                             make_server, serve)

# --------------------------------------------------------------------------------------------------
# Time: every instant is an int of microseconds since the epoch (floats lose microseconds in 2027).

UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
US = 1_000_000


def us_from_dt(value: dt.datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - EPOCH) // dt.timedelta(microseconds=1)


def dt_from_us(us: int, tz=UTC) -> dt.datetime:
    return (EPOCH + dt.timedelta(microseconds=us)).astimezone(tz)


def parse_iso_us(text) -> int:
    """An ISO 8601 date-time as pretix (Django REST framework) accepts it; naive means UTC."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("empty")
    return us_from_dt(dt.datetime.fromisoformat(text.strip()))


def iso_utc(us: int) -> str:
    value = dt_from_us(us)
    out = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        out += ".%06d" % value.microsecond
    return out + "Z"


def http_date(us: int) -> str:
    return email.utils.formatdate(us // US, usegmt=True)


def parse_http_date_us(text):
    try:
        value = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if value is None:
        return None
    return us_from_dt(value)


class Clock:
    """pretix's clock as the emulator sees it: real time plus a fixed offset, strictly increasing.

    The offset is chosen at the first start so that the clock is never before the newest timestamp in
    the data (the demo event is dated March 2027); it is kept in the state directory so that a
    restarted emulator continues the same timeline."""

    def __init__(self, offset_us: int = 0, floor_us: int = 0):
        self.offset_us = offset_us
        self.last_us = floor_us
        self.lock = threading.Lock()

    def now(self) -> int:
        with self.lock:
            value = time.time_ns() // 1000 + self.offset_us
            if value <= self.last_us:
                value = self.last_us + 1
            self.last_us = value
            return value

    def peek(self) -> int:
        return max(time.time_ns() // 1000 + self.offset_us, self.last_us)

    def raise_floor(self, floor_us: int):
        with self.lock:
            if floor_us > self.last_us:
                self.last_us = floor_us


# --------------------------------------------------------------------------------------------------
# Deterministic randomness (blake2b in counter mode: fast to seed, stable across Python versions).


_U16 = struct.Struct("<16I").unpack


class Rng:
    """16 draws per blake2b block; keyed by bytes such as b"shape|1|2|3"."""
    __slots__ = ("buf", "vals", "pos")

    def __init__(self, key: bytes):
        self.buf = hashlib.blake2b(key, digest_size=64).digest()
        self.vals = _U16(self.buf)
        self.pos = 0

    def u32(self) -> int:
        if self.pos >= 16:
            self.buf = hashlib.blake2b(self.buf, digest_size=64).digest()
            self.vals = _U16(self.buf)
            self.pos = 0
        value = self.vals[self.pos]
        self.pos += 1
        return value

    def random(self) -> float:
        return self.u32() / 4294967296.0

    def below(self, n: int) -> int:
        return self.u32() % n

    def choice(self, seq):
        return seq[self.u32() % len(seq)]


SECRET_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"   # pretix ticket secrets (no i, l, o, 0, 1)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ3789"        # pretix order codes
_BYTE_TO_SECRET = bytes(ord(SECRET_ALPHABET[b % len(SECRET_ALPHABET)]) for b in range(256))


def hashed_secret(*parts, length=32) -> str:
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=length).digest()
    return digest.translate(_BYTE_TO_SECRET).decode()


def hashed_code(alphabet: str, length: int, *parts) -> str:
    value = int.from_bytes(hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=16).digest(), "little")
    out = []
    for _ in range(length):
        value, digit = divmod(value, len(alphabet))
        out.append(alphabet[digit])
    return "".join(out)


def random_token(length=64) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(_secrets.choice(alphabet) for _ in range(length))


# --------------------------------------------------------------------------------------------------
# Ed25519 (RFC 8032, pure Python; slow but only used for a key per event and a few signed tickets).

_P = 2 ** 255 - 19
_L = 2 ** 252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _padd(a, b):
    x = (a[1] - a[0]) * (b[1] - b[0]) % _P
    y = (a[1] + a[0]) * (b[1] + b[0]) % _P
    c = 2 * a[3] * b[3] * _D % _P
    d = 2 * a[2] * b[2] % _P
    e, f, g, h = y - x, d - c, d + c, y + x
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _pmul(scalar, point):
    result = (0, 1, 1, 0)
    while scalar > 0:
        if scalar & 1:
            result = _padd(result, point)
        point = _padd(point, point)
        scalar >>= 1
    return result


def _pequal(a, b):
    return (a[0] * b[2] - b[0] * a[2]) % _P == 0 and (a[1] * b[2] - b[1] * a[2]) % _P == 0


def _recover_x(y, sign):
    if y >= _P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P)
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P != 0:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P != 0:
        return None
    if (x & 1) != sign:
        x = _P - x
    return x


_GY = 4 * pow(5, _P - 2, _P) % _P
_GX = _recover_x(_GY, 0)
_G = (_GX, _GY, 1, _GX * _GY % _P)


def _compress(point) -> bytes:
    zinv = pow(point[2], _P - 2, _P)
    x, y = point[0] * zinv % _P, point[1] * zinv % _P
    return int.to_bytes(y | ((x & 1) << 255), 32, "little")


def _decompress(data: bytes):
    y = int.from_bytes(data, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % _P)


def _h512(data: bytes) -> int:
    return int.from_bytes(hashlib.sha512(data).digest(), "little")


def _expand(seed: bytes):
    digest = hashlib.sha512(seed).digest()
    a = int.from_bytes(digest[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    return a, digest[32:]


def ed25519_public_key(seed: bytes) -> bytes:
    return _compress(_pmul(_expand(seed)[0], _G))


def ed25519_sign(seed: bytes, message: bytes) -> bytes:
    a, prefix = _expand(seed)
    public = _compress(_pmul(a, _G))
    r = _h512(prefix + message) % _L
    big_r = _compress(_pmul(r, _G))
    h = _h512(big_r + public + message) % _L
    return big_r + int.to_bytes((r + h * a) % _L, 32, "little")


def ed25519_verify(public: bytes, message: bytes, signature: bytes) -> bool:
    if len(public) != 32 or len(signature) != 64:
        return False
    a = _decompress(public)
    r = _decompress(signature[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= _L:
        return False
    h = _h512(signature[:32] + public + message) % _L
    return _pequal(_pmul(s, _G), _padd(r, _pmul(h, a)))


def ed25519_pem(public: bytes) -> str:
    der = bytes.fromhex("302a300506032b6570032100") + public      # SubjectPublicKeyInfo, id-Ed25519
    return "-----BEGIN PUBLIC KEY-----\n" + base64.b64encode(der).decode() + "\n-----END PUBLIC KEY-----\n"


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def ticket_payload(seed: str, item: int, variation, subevent, valid_from_unix=None, valid_until_unix=None) -> bytes:
    """protobuf Ticket { string seed = 1; int64 item = 2; int64 variation = 3; int64 subevent = 4;
    optional int64 validFromUnixTime = 5; optional int64 validUntilUnixTime = 6; }"""
    raw = seed.encode()
    out = b"\x0a" + _varint(len(raw)) + raw
    for field, value in ((2, item), (3, variation), (4, subevent)):
        if value:
            out += _varint(field << 3) + _varint(int(value))
    if valid_from_unix is not None:
        out += _varint(5 << 3) + _varint(int(valid_from_unix))
    if valid_until_unix is not None:
        out += _varint(6 << 3) + _varint(int(valid_until_unix))
    return out


def signed_ticket_text(private_seed: bytes, payload: bytes) -> str:
    signature = ed25519_sign(private_seed, payload)
    blob = b"\x01" + len(payload).to_bytes(2, "big") + len(signature).to_bytes(2, "big") + payload + signature
    return base64.b64encode(blob).decode()[::-1]


# --------------------------------------------------------------------------------------------------
# Check-in rules: JsonLogic with pretix's operators, evaluated as the server does for entries.


class RuleEnv:
    def __init__(self, *, tz, now_us, product, variation, gate, entries, last_type, event_times):
        self.tz = tz
        self.now = dt_from_us(now_us, tz)
        self.product = product
        self.variation = variation
        self.gate = gate
        self.entries = sorted(dt_from_us(e, tz) for e in entries)   # entry check-ins on this list
        self.last_type = last_type
        self.event_times = event_times                                 # date_from, date_to, date_admission

    def var(self, name):
        if name == "product":
            return self.product
        if name == "variation":
            return self.variation
        if name == "gate":
            return self.gate
        if name == "now":
            return self.now
        if name == "now_isoweekday":
            return self.now.isoweekday()
        if name == "entry_status":
            return "present" if self.last_type == "entry" else "absent"
        if name == "entries_number":
            return len(self.entries)
        if name == "entries_today":
            today = self.now.date()
            return sum(1 for e in self.entries if e.date() == today)
        if name == "entries_days":
            return len({e.date() for e in self.entries})
        if name == "minutes_since_last_entry":
            return int((self.now - self.entries[-1]).total_seconds() // 60) if self.entries else -1
        if name == "minutes_since_first_entry":
            return int((self.now - self.entries[0]).total_seconds() // 60) if self.entries else -1
        return None

    def build_time(self, kind, value=None):
        if kind == "custom":
            return dt_from_us(parse_iso_us(value), self.tz)
        if kind == "customtime":
            hh, mm = (int(x) for x in str(value).split(":")[:2])
            return self.now.replace(hour=hh, minute=mm, second=0, microsecond=0)
        if kind in ("date_from", "date_to", "date_admission"):
            stamp = self.event_times.get(kind) or self.event_times.get("date_from")
            return dt_from_us(parse_iso_us(stamp), self.tz) if stamp else None
        return None


def _truthy(value):
    if isinstance(value, (list, tuple, dict, str)):
        return len(value) > 0
    return bool(value)


def _soft_eq(a, b):
    if isinstance(a, str) or isinstance(b, str):
        return str(a) == str(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) is bool(b)
    return a == b


def _num(value):
    if isinstance(value, (int, float, dt.datetime)) and not isinstance(value, bool):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def _less(a, b, strict=True):
    a, b = _num(a), _num(b)
    try:
        return a < b if strict else a <= b
    except TypeError:
        return False


def rule_eval(rule, env: RuleEnv):
    if isinstance(rule, list):
        return [rule_eval(r, env) for r in rule]
    if not isinstance(rule, dict) or len(rule) != 1:
        return rule
    op, args = next(iter(rule.items()))
    if not isinstance(args, (list, tuple)):
        args = [args]
    if op in ("if", "?:"):
        i = 0
        while i + 1 < len(args):
            if _truthy(rule_eval(args[i], env)):
                return rule_eval(args[i + 1], env)
            i += 2
        return rule_eval(args[i], env) if i < len(args) else None
    if op == "and":
        value = True
        for a in args:
            value = rule_eval(a, env)
            if not _truthy(value):
                return value
        return value
    if op == "or":
        value = False
        for a in args:
            value = rule_eval(a, env)
            if _truthy(value):
                return value
        return value
    v = [rule_eval(a, env) for a in args]
    if op == "var":
        name = v[0] if v else None
        value = env.var(name) if isinstance(name, str) else None
        return v[1] if value is None and len(v) > 1 else value
    if op == "==":
        return _soft_eq(v[0], v[1])
    if op == "!=":
        return not _soft_eq(v[0], v[1])
    if op == "===":
        return type(v[0]) is type(v[1]) and v[0] == v[1]
    if op == "!==":
        return not (type(v[0]) is type(v[1]) and v[0] == v[1])
    if op == "!":
        return not _truthy(v[0])
    if op == "!!":
        return _truthy(v[0])
    if op in ("<", "<="):
        strict = op == "<"
        if len(v) == 3:
            return _less(v[0], v[1], strict) and _less(v[1], v[2], strict)
        return _less(v[0], v[1], strict)
    if op == ">":
        return _less(v[1], v[0], True)
    if op == ">=":
        return _less(v[1], v[0], False)
    if op in ("in", "inList"):
        try:
            return v[0] in v[1]
        except TypeError:
            return False
    if op == "cat":
        return "".join(str(x) for x in v)
    if op == "+":
        return sum(float(x) for x in v)
    if op == "*":
        out = 1.0
        for x in v:
            out *= float(x)
        return out
    if op == "-":
        return -float(v[0]) if len(v) == 1 else float(v[0]) - float(v[1])
    if op == "/":
        return float(v[0]) / float(v[1])
    if op == "%":
        return float(v[0]) % float(v[1])
    if op == "min":
        return min(float(x) for x in v)
    if op == "max":
        return max(float(x) for x in v)
    if op == "objectList":
        return list(v)
    if op == "lookup":
        return int(v[1])
    if op == "buildTime":
        return env.build_time(*v)
    if op in ("isAfter", "isBefore"):
        t1, t2 = v[0], v[1]
        if t1 is None or t2 is None:
            return False
        tolerance = dt.timedelta(minutes=float(v[2])) if len(v) > 2 and v[2] else dt.timedelta(0)
        return t1 > t2 - tolerance if op == "isAfter" else t1 < t2 + tolerance
    if op in ("entries_since", "entries_before", "entries_days_since", "entries_days_before"):
        limit = v[0]
        if limit is None:
            return 0
        chosen = [e for e in env.entries if (e >= limit if op.endswith("since") else e < limit)]
        return len({e.date() for e in chosen}) if "days" in op else len(chosen)
    raise ValueError("unknown rule operator " + op)


def _rule_words(rule) -> str:
    text = json.dumps(rule)
    if '"product"' in text or '"variation"' in text:
        return "Ticket type not allowed"
    if '"gate"' in text:
        return "Wrong entrance gate"
    if "entries_" in text or "minutes_since" in text:
        return "Maximum number of entries exceeded" if ('"<"' in text or '"<="' in text) else "Minimum number of entries not reached"
    if '"isAfter"' in text:
        return "Only allowed after a certain time"
    if '"isBefore"' in text:
        return "Only allowed before a certain time"
    if "now_isoweekday" in text:
        return "Not allowed on this weekday"
    return "Custom rule failed"


def rule_explain(rules, env) -> str:
    """A short human explanation of the failing parts (pretix words it per operator, more finely)."""
    parts = rules.get("and") if isinstance(rules, dict) and isinstance(rules.get("and"), list) else [rules]
    failing = []
    for part in parts:
        try:
            ok = _truthy(rule_eval(part, env))
        except Exception:
            ok = False
        if not ok:
            words = _rule_words(part)
            if words not in failing:
                failing.append(words)
    return ", ".join(failing) or "Custom rule failed"




# --------------------------------------------------------------------------------------------------
# Generated events: the catalog mirrors assets/demo; an order is derived from (seed, event, index) on
# demand and rendered straight to JSON text from templates, so an event of any size starts at once,
# serves 100,000 positions in about a second, and costs memory only for what tests change.


js = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class LocalTime:
    """ISO 8601 in one time zone, fast (the UTC offset is cached per hour)."""

    def __init__(self, tzinfo):
        self.tz = tzinfo
        self.cache = {}
        self.days = {}

    def offset(self, sec: int) -> int:
        hour = sec // 3600
        off = self.cache.get(hour)
        if off is None:
            off = int(dt.datetime.fromtimestamp(hour * 3600, self.tz).utcoffset().total_seconds())
            self.cache[hour] = off
        return off

    def iso(self, us: int) -> str:
        sec, frac = divmod(us, US)
        off = self.offset(sec)
        day, rest = divmod(sec + off, 86400)
        prefix = self.days.get((day, off))
        if prefix is None:
            sign = "+" if off >= 0 else "-"
            prefix = ("%04d-%02d-%02dT" % time.gmtime(day * 86400)[:3],
                      "%s%02d:%02d" % (sign, abs(off) // 3600, abs(off) % 3600 // 60))
            self.days[(day, off)] = prefix
        hh, rest = divmod(rest, 3600)
        mm, ss = divmod(rest, 60)
        if frac:
            return "%s%02d:%02d:%02d.%06d%s" % (prefix[0], hh, mm, ss, frac, prefix[1])
        return "%s%02d:%02d:%02d%s" % (prefix[0], hh, mm, ss, prefix[1])

    def date(self, us: int) -> str:
        sec = us // US
        return "%04d-%02d-%02d" % time.gmtime(sec + self.offset(sec))[:3]


# (locale, family name first, separator, given names, family names); every name as (native, ASCII).
CULTURES = [
    ("en", False, " ", [("Emily", "Emily"), ("James", "James"), ("Olivia", "Olivia"), ("Samuel", "Samuel"),
                        ("Grace", "Grace"), ("Thomas", "Thomas"), ("Charlotte", "Charlotte"), ("Henry", "Henry")],
     [("Ashworth", "Ashworth"), ("Bennett", "Bennett"), ("Clarke", "Clarke"), ("Fletcher", "Fletcher"),
      ("Hughes", "Hughes"), ("McAllister", "McAllister"), ("O'Neill", "ONeill"), ("Whitaker", "Whitaker")]),
    ("de", False, " ", [("Jürgen", "Juergen"), ("Grete", "Grete"), ("Lukas", "Lukas"), ("Sophie", "Sophie"),
                        ("Matthias", "Matthias"), ("Brigitte", "Brigitte")],
     [("Müller", "Mueller"), ("Groß", "Gross"), ("Schäfer", "Schaefer"), ("Becker", "Becker"),
      ("Köhler", "Koehler"), ("Böhm", "Boehm")]),
    ("es", False, " ", [("María José", "Maria Jose"), ("Alejandro", "Alejandro"), ("Lucía", "Lucia"),
                        ("Javier", "Javier"), ("Begoña", "Begona")],
     [("Rodríguez Fernández", "Rodriguez Fernandez"), ("Castañeda", "Castaneda"), ("Ortega", "Ortega"),
      ("Núñez", "Nunez")]),
    ("fr", False, " ", [("Anaïs", "Anais"), ("Céline", "Celine"), ("François", "Francois"), ("Hélène", "Helene")],
     [("Moreau", "Moreau"), ("Lemaître", "Lemaitre"), ("Dubois", "Dubois"), ("Girard", "Girard")]),
    ("pl", False, " ", [("Małgorzata", "Malgorzata"), ("Paweł", "Pawel"), ("Zofia", "Zofia"), ("Krzysztof", "Krzysztof")],
     [("Dąbrowska", "Dabrowska"), ("Nowak", "Nowak"), ("Wiśniewski", "Wisniewski"), ("Łukasik", "Lukasik")]),
    ("tr", False, " ", [("Uğur", "Ugur"), ("Barış", "Baris"), ("Elif", "Elif"), ("Zeynep", "Zeynep")],
     [("Şahin", "Sahin"), ("Doğan", "Dogan"), ("Yılmaz", "Yilmaz"), ("Çelik", "Celik")]),
    ("ru", False, " ", [("Пётр", "Petr"), ("Анна", "Anna"), ("Дмитрий", "Dmitry"), ("Богдан", "Bogdan")],
     [("Лебедев", "Lebedev"), ("Смирнова", "Smirnova"), ("Фёдоров", "Fedorov"), ("Шевченко", "Shevchenko")]),
    ("zh", True, "", [("芳", "Fang"), ("伟", "Wei"), ("娜", "Na"), ("敏", "Min")],
     [("吴", "Wu"), ("王", "Wang"), ("李", "Li"), ("张", "Zhang")]),
    ("ja", True, " ", [("健一", "Kenichi"), ("美咲", "Misaki"), ("翔太", "Shota")],
     [("伊藤", "Ito"), ("佐藤", "Sato"), ("高橋", "Takahashi")]),
    ("ko", True, "", [("예준", "Yejun"), ("민지", "Minji"), ("서연", "Seoyeon")],
     [("임", "Lim"), ("김", "Kim"), ("박", "Park")]),
    ("ar", False, " ", [("مريم", "Maryam"), ("أحمد", "Ahmed"), ("ليلى", "Layla")],
     [("العلي", "Al-Ali"), ("حسن", "Hassan"), ("منصور", "Mansour")]),
    ("he", False, " ", [("איתי", "Itai"), ("נועה", "Noa"), ("יונתן", "Yonatan")],
     [("אשכנזי", "Ashkenazi"), ("לוי", "Levi"), ("כהן", "Cohen")]),
    ("el", False, " ", [("Κωνσταντίνος", "Konstantinos"), ("Ελένη", "Eleni"), ("Γιώργος", "Giorgos")],
     [("Παπαδόπουλος", "Papadopoulos"), ("Γεωργίου", "Georgiou"), ("Νικολάου", "Nikolaou")]),
    ("hi", False, " ", [("आरव", "Aarav"), ("प्रिया", "Priya"), ("अनन्या", "Ananya")],
     [("शर्मा", "Sharma"), ("पटेल", "Patel"), ("गुप्ता", "Gupta")]),
    ("vi", True, " ", [("Thị Mỹ Duyên", "Thi My Duyen"), ("Văn An", "Van An"), ("Minh Khoa", "Minh Khoa")],
     [("Lê", "Le"), ("Nguyễn", "Nguyen"), ("Trần", "Tran")]),
]
EMAIL_DOMAINS = ["example.com", "example.org", "example.net", "mail.example.com", "corp.example.org"]
COMPANIES = ["Acme GmbH", "Globex Corporation", "Initech", "Umbrella Labs", "Stark Industries", "Wayne Enterprises"]
DIET_DETAILS = ["Nut allergy", "Gluten free", "Halal", "Kosher", "No fish, please"]
SITE_URL = "https://pretix.example.com"


def _people_table():
    table = []
    for locale, family_first, sep, givens, families in CULTURES:
        combos = []
        for given in givens:
            for family in families:
                parts = (family, given) if family_first else (given, family)
                name = parts[0][0] + sep + parts[1][0]
                local = re.sub(r"[^a-z0-9.-]", "", (given[1] + "." + family[1]).lower().replace(" ", "."))
                combos.append((name, local, "de" if locale == "de" else "en"))
        table.append(combos)
    return table


PEOPLE = _people_table()


def person(rng: Rng):
    """(attendee name, e-mail address, order locale)"""
    name, local, locale = rng.choice(rng.choice(PEOPLE))
    number = rng.below(100)
    if number < 30:
        local += str(number + 10)
    return name, local + "@" + rng.choice(EMAIL_DOMAINS), locale


def i18n(en, de=None):
    return {"en": en, "de": de or en}


def money(value: float) -> str:
    return "%.2f" % value


def tax_of(price: float) -> str:
    return money(round(price - price / 1.19, 2)) if price else "0.00"


def make_variation(vid, value, price, position, description=None):
    return {"id": vid, "value": value, "active": True, "description": description, "position": position,
            "default_price": money(price), "price": money(price), "original_price": None,
            "free_price_suggestion": None, "require_approval": False, "require_membership": False,
            "require_membership_types": [], "require_membership_hidden": False, "checkin_attention": False,
            "checkin_text": None, "available_from": None, "available_until": None, "all_sales_channels": True,
            "limit_sales_channels": [], "hide_without_voucher": False, "meta_data": {}}


def make_item(iid, name, price, position, *, admission=True, personalized=True, category=None, attention=False,
              checkin_text=None, variations=(), addons=(), validity=None, description=None):
    return {"id": iid, "category": category, "name": name, "internal_name": None, "active": True,
            "sales_channels": ["web"], "all_sales_channels": True, "limit_sales_channels": [],
            "description": description, "default_price": money(price), "free_price": False,
            "free_price_suggestion": None, "tax_rate": "19.00", "tax_rule": 1, "admission": admission,
            "personalized": personalized, "position": position, "picture": None, "available_from": None,
            "available_until": None, "hidden_if_available": None, "hidden_if_item_available": None,
            "require_voucher": False, "hide_without_voucher": False, "allow_cancel": True, "min_per_order": None,
            "max_per_order": None, "checkin_attention": attention, "checkin_text": checkin_text,
            "has_variations": bool(variations), "variations": list(variations), "addons": list(addons),
            "bundles": [], "original_price": None, "require_approval": False, "generate_tickets": None,
            "allow_waitinglist": True, "issue_giftcard": False, "show_quota_left": None, "meta_data": {},
            "require_membership": False, "require_membership_types": [], "require_membership_hidden": False,
            "grant_membership_type": None, "grant_membership_duration_like_event": True,
            "grant_membership_duration_days": 0, "grant_membership_duration_months": 0,
            "validity_mode": "fixed" if validity else None,
            "validity_fixed_from": validity[0] if validity else None,
            "validity_fixed_until": validity[1] if validity else None,
            "validity_dynamic_duration_minutes": None, "validity_dynamic_duration_hours": None,
            "validity_dynamic_duration_days": None, "validity_dynamic_duration_months": None,
            "validity_dynamic_start_choice": False, "validity_dynamic_start_choice_day_limit": None,
            "media_policy": None, "media_type": None}


def make_option(oid, identifier, position, answer):
    return {"id": oid, "identifier": identifier, "position": position, "answer": answer}


def make_question(qid, text, qtype, position, identifier, items, *, required=False, ask=False, options=(),
                  dependency=None, dependency_values=()):
    return {"id": qid, "question": text, "help_text": None, "type": qtype, "required": required,
            "items": list(items), "options": list(options), "position": position, "identifier": identifier,
            "ask_during_checkin": ask, "show_during_checkin": ask, "hidden": False, "print_on_invoice": False,
            "valid_number_min": None, "valid_number_max": None, "valid_date_min": None, "valid_date_max": None,
            "valid_datetime_min": None, "valid_datetime_max": None, "valid_string_length_max": None,
            "valid_file_portrait": False, "dependency_question": dependency,
            "dependency_value": dependency_values[0] if dependency_values else None,
            "dependency_values": list(dependency_values)}


def make_list(lid, name, *, all_products, limit_products=(), subevent=None, include_pending=False,
              allow_multiple=False, allow_after_exit=True, rules=None, addon_match=False):
    return {"id": lid, "name": name, "checkin_count": 0, "position_count": 0, "all_products": all_products,
            "limit_products": list(limit_products), "include_pending": include_pending, "subevent": subevent,
            "allow_multiple_entries": allow_multiple, "allow_entry_after_exit": allow_after_exit,
            "exit_all_at": None, "rules": rules or {}, "addon_match": addon_match,
            "auto_checkin_sales_channels": [], "ignore_in_statistics": False, "consider_tickets_used": True}


BADGE_LAYOUT = [
    {"type": "textarea", "page": 1, "locale": "", "left": "10.00", "bottom": "48.00", "width": "140.00",
     "fontsize": "26.0", "color": [0, 0, 0, 1], "fontfamily": "Open Sans", "bold": True, "italic": False,
     "downward": False, "content": "attendee_name", "text": "", "text_i18n": {}, "rotation": 0, "align": "left",
     "lineheight": "1.15", "autoresize": True},
    {"type": "textarea", "page": 1, "locale": "", "left": "10.00", "bottom": "20.00", "width": "140.00",
     "fontsize": "13.0", "color": [68, 68, 68, 1], "fontfamily": "Open Sans", "bold": False, "italic": False,
     "downward": False, "content": "event_name", "text": "", "text_i18n": {}, "rotation": 0, "align": "left",
     "lineheight": "1.15", "autoresize": False},
    {"type": "textarea", "page": 1, "locale": "", "left": "10.00", "bottom": "10.00", "width": "140.00",
     "fontsize": "11.0", "color": [0, 82, 204, 1], "fontfamily": "Open Sans", "bold": False, "italic": False,
     "downward": False, "content": "itemvar", "text": "", "text_i18n": {}, "rotation": 0, "align": "left",
     "lineheight": "1.15", "autoresize": False},
    {"type": "barcodearea", "page": 1, "left": "158.20", "bottom": "17.28", "size": "40.00", "content": "secret",
     "text": "", "text_i18n": {}, "nowhitespace": False},
]

PRICES = {("conf", "reg"): 349.0, ("conf", "stu"): 149.0, ("day", None): 199.0, ("speaker", None): 0.0,
          ("workshop", None): 89.0, ("dinner", None): 65.0}
ADMISSION_KINDS = ("conf", "day", "speaker", "workshop")
PERSONAL_KINDS = ("conf", "day", "speaker")

_ORDER_TEMPLATE = (
    '{"code":"%s","event":%s,"status":"%s","testmode":false,"secret":"%s","email":%s,"phone":null,'
    '"customer":null,"locale":"%s","sales_channel":"web","datetime":"%s","expires":"%s","payment_date":%s,'
    '"payment_provider":"%s","fees":[],"total":"%s","comment":"","custom_followup_at":null,'
    '"checkin_attention":%s,"checkin_text":null,"require_approval":%s,"valid_if_pending":%s,'
    '"invoice_address":null,"positions":[%s],"downloads":%s,"payments":%s,"refunds":[],"last_modified":"%s",'
    '"url":%s,"cancellation_date":%s}')
_POSITION_TEMPLATE = (
    '{"id":%d,"order":"%s","positionid":%d,"canceled":%s,"item":%d,"variation":%s,"price":"%s",'
    '"attendee_name":%s,"attendee_name_parts":%s,"attendee_email":%s,"company":null,"street":null,'
    '"zipcode":null,"city":null,"country":null,"state":null,"discount":null,"voucher":null,"tax_rate":"19.00",'
    '"tax_value":"%s","tax_rule":1,"secret":"%s","addon_to":%s,"subevent":%s,"pseudonymization_id":"%s",'
    '"seat":null,"checkins":[%s],"downloads":%s,"answers":[%s],"blocked":%s,"valid_from":%s,"valid_until":%s,'
    '"is_bundled":false}')
_CHECKIN_TEMPLATE = '{"list":%d,"datetime":"%s","type":"%s","gate":null,"device":1,"auto_checked_in":false}'
_TF = ("false", "true")
_PAYMENT_TEMPLATE = ('[{"local_id":1,"state":"%s","amount":"%.2f","created":"%s","payment_date":%s,"provider":"%s",'
                     '"payment_url":null,"details":{}}]')
_SECRET_TO_CODE = str.maketrans("abcdefghjkmnpqrstuvwxyz23456789", "ABCDEFGHJKLMNPQRSTUVWXYZ3789ABC")


def _nj(value):
    return "null" if value is None else str(value)


class GenEvent:
    """One generated event: catalog resources up front, orders rendered per index on demand.

    Ids: catalog objects of event k are 1000*k + n, positions 10,000,000*k + n (pretix ids are
    global per table, so they never clash across events). Order i is created at a time that grows
    with i, so ordering by datetime is ordering by index."""

    CODE_SPACE = len(CODE_ALPHABET) ** 5
    CODE_MULT = 1_000_003          # coprime with 28**5 = 2**10 * 7**5: the code map is a bijection
    CODE_MULT_INV = pow(1_000_003, -1, len(CODE_ALPHABET) ** 5)

    def __init__(self, *, organizer, slug, k, seed, positions, subevents, event_date, tz, code_stride=2_000_000):
        self.organizer, self.slug, self.k, self.seed = organizer, slug, k, seed
        self.code_stride = code_stride
        self.tz = tz
        self.tzinfo = ZoneInfo(tz)
        self.lt = LocalTime(self.tzinfo)
        self.subevent_count = subevents
        base = 1000 * k
        self.base = base
        self.pid_base = 10_000_000 * k
        day = dt.date.fromisoformat(event_date)

        def local(d, hh, mm=0, ss=0):
            return us_from_dt(dt.datetime(d.year, d.month, d.day, hh, mm, ss, tzinfo=self.tzinfo))

        day2 = day + dt.timedelta(days=1)
        self.date_from = local(day, 9)
        self.date_to = local(day2, 18)
        self.date_admission = local(day, 8)
        self.day2 = (local(day2, 0), local(day2, 23, 59, 59))
        self.t0 = local(day - dt.timedelta(days=135), 10)
        self.t_end = local(day - dt.timedelta(days=7), 22)
        self.ids = {"conf": base + 1, "day": base + 2, "speaker": base + 3, "workshop": base + 4, "dinner": base + 5,
                    ("conf", "reg"): base + 11, ("conf", "stu"): base + 12}
        self.list_main, self.list_workshop, self.list_lounge = base + 21, base + 22, base + 23
        self.q = {"tshirt": base + 31, "diet": base + 32, "specify": base + 33, "coc": base + 34,
                  "phone": base + 35, "company": base + 36, "dob": base + 37}
        self.tshirt_options = [(base + 41 + n, "TSHIRT-" + s, s) for n, s in enumerate(["S", "M", "L", "XL"])]
        self.diet_options = [(base + 45 + n, ident, text) for n, (ident, text) in enumerate(
            [("DIET-NONE", "No special needs"), ("DIET-VEGETARIAN", "Vegetarian"), ("DIET-VEGAN", "Vegan"),
             ("DIET-OTHER", "Other")])]
        self.subevent_ids = [base + 101 + j for j in range(subevents)]
        self.signing_seed = hashlib.sha256(("pretix_sig1|%s|%s|%s" % (seed, organizer, slug)).encode()).digest()
        self._fragments()
        self._count_orders(positions)
        self._lm = None

    def _fragments(self):
        q = self.q

        def answer(qid, ident, text, options=()):
            return js({"question": qid, "answer": text, "question_identifier": ident,
                       "options": [o[0] for o in options], "option_identifiers": [o[1] for o in options]})

        self.f_tshirt = [answer(q["tshirt"], "TSHIRT", o[2], [o]) for o in self.tshirt_options]
        self.f_diet = [answer(q["diet"], "DIET", o[2], [o]) for o in self.diet_options]
        self.f_specify = [answer(q["specify"], "DIET-DETAILS", text) for text in DIET_DETAILS]
        self.f_coc = answer(q["coc"], "COC", "True")
        self.f_company = [answer(q["company"], "COMPANY", c) for c in COMPANIES]
        self.q_phone, self.q_dob = q["phone"], q["dob"]
        self.f_event = js(self.slug)
        self.pos_download = '[{"output":"pdf","url":"%s/api/v1/organizers/%s/events/%s/orderpositions/%%d/download/pdf/"}]' % (
            SITE_URL, self.organizer, self.slug)
        self.order_download = '[{"output":"pdf","url":"%s/api/v1/organizers/%s/events/%s/orders/%%s/download/pdf/"}]' % (
            SITE_URL, self.organizer, self.slug)
        self.order_url = '"%s/%s/%s/order/%%s/"' % (SITE_URL, self.organizer, self.slug)
        self.day2_json = (js(self.lt.iso(self.day2[0])), js(self.lt.iso(self.day2[1])))
        self.kind_static = {}
        for (kind, var), price in PRICES.items():
            self.kind_static[(kind, var)] = (
                self.ids[kind], _nj(self.ids[(kind, var)] if var else None), money(price), tax_of(price), price,
                kind in ADMISSION_KINDS,
                self.day2_json[0] if kind == "day" else "null", self.day2_json[1] if kind == "day" else "null")

    # --- catalog -----------------------------------------------------------------------------------

    def catalog(self):
        k, ids, lt = self.k, self.ids, self.lt
        name = "Emulated Conference %d" % k
        pub = ed25519_public_key(self.signing_seed)
        event = {"name": i18n(name, "Emulierte Konferenz %d" % k), "slug": self.slug, "live": True,
                 "testmode": False, "currency": "EUR", "date_from": lt.iso(self.date_from),
                 "date_to": lt.iso(self.date_to), "date_admission": lt.iso(self.date_admission),
                 "is_public": True, "presale_start": lt.iso(self.t0), "presale_end": lt.iso(self.t_end),
                 "location": i18n("Kongresshalle am See, Berlin"), "geo_lat": 52.5321, "geo_lon": 13.3849,
                 "has_subevents": self.subevent_count > 0, "meta_data": {}, "seating_plan": None,
                 "seat_category_mapping": {}, "timezone": self.tz, "item_meta_properties": {},
                 "valid_keys": {"pretix_sig1": [base64.b64encode(ed25519_pem(pub).encode()).decode()]},
                 "all_sales_channels": True, "limit_sales_channels": [],
                 "public_url": "%s/%s/%s/" % (SITE_URL, self.organizer, self.slug),
                 "plugins": ["pretix.plugins.banktransfer", "pretix.plugins.ticketoutputpdf", "pretix.plugins.badges"]}
        day2 = (lt.iso(self.day2[0]), lt.iso(self.day2[1]))
        cat = self.base + 51
        items = [
            make_item(ids["conf"], i18n("Conference pass", "Konferenzticket"), 349.0, 0,
                      variations=[make_variation(ids[("conf", "reg")], i18n("Regular", "Regulär"), 349.0, 0),
                                  make_variation(ids[("conf", "stu")], i18n("Student", "Studierende"), 149.0, 1)],
                      addons=[{"addon_category": cat, "min_count": 0, "max_count": 2, "position": 0,
                               "price_included": False, "multi_allowed": False}]),
            make_item(ids["day"], i18n("Day pass — second day", "Tagesticket — zweiter Tag"), 199.0, 1, validity=day2),
            make_item(ids["speaker"], i18n("Speaker pass", "Sprecher*innen-Ticket"), 0.0, 2, attention=True,
                      checkin_text="Speaker: hand over the orange lanyard."),
            make_item(ids["workshop"], i18n("Workshop", "Workshop"), 89.0, 3, category=cat),
            make_item(ids["dinner"], i18n("Conference dinner", "Konferenzdinner"), 65.0, 4, admission=False,
                      personalized=False, category=cat),
        ]
        q = self.q
        admission = [ids["conf"], ids["day"], ids["speaker"], ids["workshop"]]
        questions = [
            make_question(q["tshirt"], i18n("T-shirt size", "T-Shirt-Größe"), "C", 1, "TSHIRT",
                          [ids["conf"], ids["speaker"]], required=True, ask=True,
                          options=[make_option(o, ident, n, i18n(s)) for n, (o, ident, s) in enumerate(self.tshirt_options)]),
            make_question(q["diet"], i18n("Dietary needs", "Ernährungsbedürfnisse"), "C", 2, "DIET",
                          [ids["conf"], ids["day"], ids["speaker"]], ask=True,
                          options=[make_option(o, ident, n, i18n(s)) for n, (o, ident, s) in enumerate(self.diet_options)]),
            make_question(q["specify"], i18n("Please specify", "Bitte angeben"), "S", 3, "DIET-DETAILS",
                          [ids["conf"], ids["day"], ids["speaker"]], required=True, ask=True,
                          dependency=q["diet"], dependency_values=["DIET-OTHER"]),
            make_question(q["coc"], i18n("I accept the code of conduct", "Ich akzeptiere den Verhaltenskodex"), "B", 4,
                          "COC", admission, required=True, ask=True),
            make_question(q["phone"], i18n("Emergency phone", "Notfalltelefon"), "TEL", 5, "PHONE", [ids["speaker"]],
                          ask=True),
            make_question(q["company"], i18n("Company", "Firma"), "S", 6, "COMPANY", admission),
            make_question(q["dob"], i18n("Date of birth", "Geburtsdatum"), "D", 7, "DOB", admission),
        ]
        lounge_rule = {"and": [{"inList": [{"var": "product"}, {"objectList": [
            {"lookup": ["product", str(ids["speaker"]), "Speaker pass"]}]}]},
            {"<": [{"var": "entries_today"}, 3]}]}
        lists = [
            make_list(self.list_main, "Main entrance", all_products=True),
            make_list(self.list_workshop, "Workshop room", all_products=False, limit_products=[ids["workshop"]],
                      addon_match=True),
            make_list(self.list_lounge, "Speakers' lounge", all_products=False,
                      limit_products=[ids["speaker"], ids["conf"]], allow_multiple=True, rules=lounge_rule),
        ]
        subevents = []
        for j, sid in enumerate(self.subevent_ids):
            start = self.date_from + j * 86400 * US
            subevents.append({"id": sid, "name": i18n("%s, day %d" % (name, j + 1)), "event": self.slug,
                              "active": True, "is_public": True, "date_from": lt.iso(start),
                              "date_to": lt.iso(start + 9 * 3600 * US), "date_admission": lt.iso(start - 3600 * US),
                              "presale_start": None, "presale_end": None, "location": None, "geo_lat": None,
                              "geo_lon": None, "seating_plan": None, "seat_category_mapping": {},
                              "item_price_overrides": [], "variation_price_overrides": [], "meta_data": {},
                              "frontpage_text": None, "last_modified": lt.iso(self.t0)})
            lists.append(make_list(self.base + 601 + j, "Entrance, day %d" % (j + 1), all_products=True, subevent=sid))
        assignments = [{"id": self.base + n + 1, "item": ids[kind], "layout": self.base + 1}
                       for n, kind in enumerate(["conf", "day", "speaker"])]
        layouts = [{"id": self.base + 1, "name": "Badge", "default": True, "layout": copy.deepcopy(BADGE_LAYOUT),
                    "background": None, "item_assignments": assignments}]
        revoked = [{"id": self.base + 71 + n, "secret": hashed_secret("revoked", self.seed, self.slug, n),
                    "created": lt.iso(self.t0 + (n + 1) * 9 * 86400 * US)} for n in range(3)]
        blocked = [{"id": self.pid_base + n + 1, "secret": self.secret(pid), "updated": lt.iso(self.t_end),
                    "blocked": True} for n, (slot, pid) in enumerate(self.blocked_positions)]
        return {"event": event, "items": items, "questions": questions, "checkinlists": lists,
                "subevents": subevents, "badgelayouts": layouts, "badgeitems": copy.deepcopy(assignments),
                "revokedsecrets": revoked, "blockedsecrets": blocked}

    # --- order shapes ------------------------------------------------------------------------------

    def _raw_shape(self, i):
        """(status, require_approval, valid_if_pending, attention, delay draw, positions); a position is
        [kind, variation, parent index or -1, subevent index or -1, canceled, blocked, checkin kind
        (0 none, 1 entry, 2 entry and exit), checkin minute, missing answer (0, 1 T-shirt, 2 CoC)]."""
        rng = Rng(b"s|%d|%d|%d" % (self.seed, self.k, i))
        r = rng.random()
        status = "p" if r < 0.90 else "n" if r < 0.95 else "e" if r < 0.975 else "c"
        approval = status == "n" and rng.random() < 0.25
        vip = status == "n" and not approval and rng.random() < 0.3
        attention = status == "p" and rng.random() < 0.01
        u = rng.random()
        mains = 1 if u < 0.72 else 2 if u < 0.90 else 3
        plist = []
        for _ in range(mains):
            u = rng.random()
            if u < 0.70:
                kind, var = "conf", ("reg" if u < 0.56 else "stu")
            elif u < 0.90:
                kind, var = "day", None
            else:
                kind, var = "speaker", None
            sub = rng.below(self.subevent_count) if self.subevent_count else -1
            x = rng.random()
            canceled = status == "p" and len(plist) > 0 and x < 0.04
            blocked = status == "p" and not canceled and 0.04 <= x < 0.043
            ci = 0
            if status == "p" and not canceled and kind != "day":
                ci = 1 if x > 0.95 else 2 if x > 0.94 else 0
            y = rng.u32()
            missing = (1 if kind != "day" else 0) if y % 67 == 0 else 2 if y % 67 == 1 else 0
            parent = len(plist)
            plist.append([kind, var, -1, sub, canceled, blocked, ci, (y >> 8) % 59, missing])
            if kind == "conf":
                z = rng.u32()
                if z % 100 < 6:
                    plist.append(["workshop", None, parent, sub, False, False, 0, 0, 0])
                if (z >> 8) % 100 < 10:
                    plist.append(["dinner", None, parent, sub, False, False, 0, 0, 0])
        return status, approval, vip, attention, rng.u32(), plist

    def _count_orders(self, wanted):
        starts = array("q")
        blocked = []
        total = 0
        i = 0
        self.last_limit = None
        while total < wanted:
            plist = self._raw_shape(i)[5]
            starts.append(total)
            n = min(len(plist), wanted - total)
            if n < len(plist):
                self.last_limit = n
            for j in range(n):
                if plist[j][5]:
                    blocked.append((i, self.pid_base + total + j + 1))
            total += n
            i += 1
        self.n_orders = i
        self.n_positions = total
        if i >= self.code_stride:
            raise SystemExit("too many orders for the order code space; use fewer events or positions")
        self.pos_start = starts
        self.blocked_positions = blocked
        self.span = (self.t_end - self.t0) // US

    def shape(self, i):
        shape = self._raw_shape(i)
        if i == self.n_orders - 1 and self.last_limit is not None:
            shape = shape[:5] + (shape[5][:self.last_limit],)
        return shape

    def created(self, i) -> int:
        lo = i * self.span // self.n_orders
        hi = (i + 1) * self.span // self.n_orders
        jitter = (i * 2654435761 + self.seed * 40503 + self.k * 977) & 0xFFFFFFFF
        return self.t0 + (lo + jitter % max(1, hi - lo)) * US

    def first_index_created_since(self, since_us) -> int:
        lo, hi = 0, self.n_orders
        while lo < hi:
            mid = (lo + hi) // 2
            if self.created(mid) < since_us:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def _times(self, i, shape):
        status, delay, plist = shape[0], shape[4], shape[5]
        created = self.created(i)
        paid = min(created + (60 + delay % (3 * 86400)) * US, self.t_end)
        if status == "p":
            lm = paid
        elif status == "n":
            lm = created
        elif status == "e":
            lm = min(created + (14 * 86400 + 180) * US, self.t_end)
        else:
            lm = min(created + (3600 + delay % (20 * 86400)) * US, self.t_end)
        for p in plist:
            if p[6]:
                lm = max(lm, self.date_admission + (p[7] * 60 + 59 + (3000 if p[6] == 2 else 0)) * US)
        return created, paid, lm

    def last_modified(self, i) -> int:
        if self._lm is None:
            self._lm = array("q", (self._times(x, self.shape(x))[2] for x in range(self.n_orders)))
        return self._lm[i]

    def max_last_modified(self) -> int:
        # check-ins of the crowd happen on the first morning; everything else before t_end
        return max(self.t_end, self.date_admission + 7200 * US)

    # --- identities --------------------------------------------------------------------------------

    def code(self, i) -> str:
        value = ((self.k * self.code_stride + i) * self.CODE_MULT + self.seed) % self.CODE_SPACE
        out = []
        for _ in range(5):
            value, digit = divmod(value, 28)
            out.append(CODE_ALPHABET[digit])
        return "".join(out)

    def index_of_code(self, code):
        if not isinstance(code, str) or len(code) != 5 or any(c not in CODE_ALPHABET for c in code):
            return None
        value = 0
        for c in reversed(code):
            value = value * 28 + CODE_ALPHABET.index(c)
        i = (value - self.seed) * self.CODE_MULT_INV % self.CODE_SPACE - self.k * self.code_stride
        return i if 0 <= i < self.n_orders else None

    def secret(self, pid) -> str:
        return hashlib.blake2b(b"p|%d|%d|%d" % (self.seed, self.k, pid), digest_size=32).digest().translate(
            _BYTE_TO_SECRET).decode()

    def position_secrets(self, i):
        first = self.pid_base + self.pos_start[i] + 1
        return [(first + j, self.secret(first + j)) for j in range(len(self.shape(i)[5]))]

    def slot_of_pid(self, pid):
        ordinal = pid - self.pid_base - 1
        if ordinal < 0 or ordinal >= self.n_positions:
            return None
        return bisect.bisect_right(self.pos_start, ordinal) - 1

    def iter_secrets(self):
        """(slot, pid, secret, parent pid) of every generated position."""
        for i in range(self.n_orders):
            plist = self.shape(i)[5]
            first = self.pid_base + self.pos_start[i] + 1
            for j, p in enumerate(plist):
                yield i, first + j, self.secret(first + j), (first + p[2] if p[2] >= 0 else None)

    def summaries(self, i):
        """What list status needs, without rendering: (status, valid_if_pending, require_approval,
        [(pid, item, variation, subevent, canceled, [(list, type), ...])])."""
        status, approval, vip, _, _, plist = self.shape(i)
        first = self.pid_base + self.pos_start[i] + 1
        out = []
        for j, p in enumerate(plist):
            cis = [] if not p[6] else [(self.list_main, "entry")] if p[6] == 1 else \
                [(self.list_main, "entry"), (self.list_main, "exit")]
            out.append((first + j, self.ids[p[0]], self.ids[(p[0], p[1])] if p[1] else None,
                        self.subevent_ids[p[3]] if p[3] >= 0 else None, p[4], cis))
        return status, vip, approval, out

    def _names(self, rng, plist):
        buyer_name, buyer_email, locale = person(rng)
        names = []
        for j, p in enumerate(plist):
            kind = p[0]
            if kind == "dinner":
                names.append((None, None))
            elif j == 0:
                names.append((buyer_name, None))
            elif kind == "workshop":
                names.append((names[p[2]][0], None))
            else:
                name, mail, _ = person(rng)
                names.append((name, mail if rng.u32() % 10 < 3 else None))
        return buyer_email, locale, names

    def search_rows(self, i):
        """(order code, order email, [(pid, secret, attendee name, attendee email, parent pid)])"""
        plist = self.shape(i)[5]
        buyer_email, _, names = self._names(Rng(b"c|%d|%d|%d" % (self.seed, self.k, i)), plist)
        first = self.pid_base + self.pos_start[i] + 1
        rows = [(first + j, self.secret(first + j), names[j][0], names[j][1], first + p[2] if p[2] >= 0 else None)
                for j, p in enumerate(plist)]
        return self.code(i), buyer_email, rows

    # --- full orders -------------------------------------------------------------------------------

    def order_json(self, i, include_canceled=True) -> str:
        shape = self.shape(i)
        status, approval, vip, attention, _, plist = shape
        created, paid, lm = self._times(i, shape)
        lt = self.lt
        code = self.code(i)
        rng = Rng(b"c|%d|%d|%d" % (self.seed, self.k, i))
        buyer_email, locale, names = self._names(rng, plist)
        provider = "banktransfer" if status != "p" or rng.u32() % 10 < 4 else "stripe"
        first = self.pid_base + self.pos_start[i] + 1
        parts = []
        total = 0.0
        for j, p in enumerate(plist):
            kind, var, parent, sub, canceled, blocked, ci, minute, missing = p
            pid = first + j
            item, variation, price_s, tax_s, price, admission, valid_from, valid_until = self.kind_static[(kind, var)]
            answers = ""
            if admission:
                draws = rng.u32()
                answers = []
                if missing != 1 and (kind == "conf" or kind == "speaker"):
                    answers.append(self.f_tshirt[draws & 3])
                if kind != "workshop":
                    diet = (draws >> 4) & 3
                    answers.append(self.f_diet[diet])
                    if diet == 3:
                        answers.append(self.f_specify[(draws >> 8) % 5])
                if missing != 2:
                    answers.append(self.f_coc)
                if kind == "speaker":
                    answers.append('{"question":%d,"answer":"+49 30 %07d","question_identifier":"PHONE",'
                                   '"options":[],"option_identifiers":[]}' % (self.q_phone, rng.below(10_000_000)))
                if (draws >> 12) % 10 < 3:
                    answers.append(self.f_company[(draws >> 16) % 6])
                if (draws >> 20) % 10 < 2:
                    born = dt.date(1960, 1, 1) + dt.timedelta(days=(draws >> 8) % 16000)
                    answers.append('{"question":%d,"answer":"%s","question_identifier":"DOB","options":[],'
                                   '"option_identifiers":[]}' % (self.q_dob, born.isoformat()))
                answers = ",".join(answers)
            checkins = ""
            if ci:
                entry = self.date_admission + (minute * 60 + rng.below(60)) * US
                checkins = _CHECKIN_TEMPLATE % (self.list_main, lt.iso(entry), "entry")
                if ci == 2:
                    checkins += "," + _CHECKIN_TEMPLATE % (self.list_main, lt.iso(entry + 3000 * US), "exit")
            if not canceled:
                total += price
            elif not include_canceled:
                continue
            name, attendee_email = names[j]
            if name is None:
                name_json, parts_json = "null", "{}"
            else:
                name_json = js(name)
                parts_json = '{"_scheme":"full","full_name":%s}' % name_json
            secret = self.secret(pid)
            parts.append(_POSITION_TEMPLATE % (
                pid, code, j + 1, _TF[canceled], item, variation, price_s, name_json, parts_json,
                "null" if attendee_email is None else '"%s"' % attendee_email, tax_s, secret,
                "null" if parent < 0 else str(first + parent), "null" if sub < 0 else str(self.subevent_ids[sub]),
                secret[-10:].translate(_SECRET_TO_CODE), checkins, self.pos_download % pid if admission else "[]",
                answers, '["admin"]' if blocked else "null", valid_from, valid_until))
        if status == "c":
            total = 0.0
        created_s = lt.iso(created)
        if status == "p":
            paid_s = lt.iso(paid)
            payments = _PAYMENT_TEMPLATE % ("confirmed", total, created_s, '"%s"' % paid_s, provider)
            payment_date = '"%s"' % paid_s[:10]
        elif status == "c":
            payments, payment_date = "[]", "null"
        else:
            payments = _PAYMENT_TEMPLATE % ("created" if status == "n" else "canceled", total, created_s, "null",
                                            provider)
            payment_date = "null"
        lm_s = lt.iso(lm)
        return _ORDER_TEMPLATE % (
            code, self.f_event, status, hashed_secret("order", self.seed, self.k, i, length=16), js(buyer_email),
            locale, created_s, lt.iso(created + 14 * 86400 * US), payment_date, provider, "%.2f" % total,
            _TF[attention], _TF[approval], _TF[vip], ",".join(parts),
            self.order_download % code if status == "p" else "[]", payments, lm_s, self.order_url % code,
            '"%s"' % lm_s if status == "c" else "null")

    def order(self, i) -> dict:
        return json.loads(self.order_json(i))


# --------------------------------------------------------------------------------------------------
# Event state: catalog resources, orders (generated base + changed/added ones), secrets.

RESOURCE_KINDS = ("items", "checkinlists", "questions", "subevents", "badgelayouts", "badgeitems",
                  "revokedsecrets", "blockedsecrets")
CONDITIONAL_KINDS = ("items", "checkinlists", "questions", "subevents")     # Last-Modified / If-Modified-Since
ORDER_FIELDS_ORDERING = ("datetime", "code", "status", "last_modified")


def not_found():
    return ApiError(404, {"detail": "Not found."})


def field_error(field, message):
    return ApiError(400, {field: [message]})


def positions_of(order):
    """The positions of an order that the emulator can work with (a raw order from the admin API may
    hold broken ones; they are served as they are but never matched)."""
    positions = order.get("positions") if isinstance(order, dict) else None
    if not isinstance(positions, list):
        return []
    return [p for p in positions if isinstance(p, dict) and isinstance(p.get("id"), int)
            and isinstance(p.get("secret"), str)]


def iso_or(text, default):
    try:
        return parse_iso_us(text)
    except (ValueError, TypeError):
        return default


class EventState:
    def __init__(self, emu, slug, *, gen=None, catalog=None, orders=(), lmd_us=0):
        self.emu = emu
        self.slug = slug
        self.gen = gen
        self.n_base = gen.n_orders if gen else 0
        self.event = catalog["event"]
        self.res = {kind: catalog.get(kind, []) for kind in RESOURCE_KINDS}
        self.res_lmd = {kind: lmd_us for kind in CONDITIONAL_KINDS}
        self.tzinfo = ZoneInfo(self.event.get("timezone") or "UTC")
        self.lt = gen.lt if gen else LocalTime(self.tzinfo)
        self.sign_seed = gen.signing_seed if gen else None
        self.overrides = {}          # slot -> order dict (changed generated orders and every other order)
        self.meta = {}               # slot -> (created us, last_modified us)
        self.code_slot = {}          # code -> slot, for slots that are not generated
        self.next_slot = self.n_base
        self.version = 0
        self.revoked_position = {}   # revoked secret -> position id it belonged to (pretix keeps the link)
        self.query_cache = {}
        self.base_counts = {}
        self.text_cache = {}
        self.text_cache_bytes = 0
        for order in orders:
            self._put(self.next_slot, order)
            self.next_slot += 1

    # --- orders ------------------------------------------------------------------------------------

    def _put(self, slot, order):
        self.overrides[slot] = order
        self.meta[slot] = (iso_or(order.get("datetime"), self.emu.clock.peek()),
                           iso_or(order.get("last_modified"), self.emu.clock.peek()))
        if slot >= self.n_base:
            self.code_slot[order["code"]] = slot

    def slot_of_code(self, code):
        slot = self.code_slot.get(code)
        if slot is None and self.gen is not None:
            slot = self.gen.index_of_code(code)
        return slot

    def order_dict(self, slot) -> dict:
        order = self.overrides.get(slot)
        return order if order is not None else self.gen.order(slot)

    def order_copy(self, slot) -> dict:
        order = self.overrides.get(slot)
        return json.loads(js(order)) if order is not None else self.gen.order(slot)

    def mutable(self, slot, order) -> dict:
        """order itself if it is a fresh copy, else a copy of the stored one."""
        return json.loads(js(order)) if self.overrides.get(slot) is order else order

    def order_text(self, slot, include_canceled, exclude) -> str:
        order = self.overrides.get(slot)
        if order is None and not exclude:
            return self.gen.order_json(slot, include_canceled)
        if order is None:
            order = self.gen.order(slot)
        positions = order.get("positions")
        if not include_canceled and isinstance(positions, list) and any(
                isinstance(p, dict) and p.get("canceled") for p in positions):
            order = dict(order)
            order["positions"] = [p for p in positions if not (isinstance(p, dict) and p.get("canceled"))]
        if exclude:
            order = apply_exclude(order, exclude)
        return js(order)

    def created_of(self, slot) -> int:
        meta = self.meta.get(slot)
        return meta[0] if meta else self.gen.created(slot)

    def lm_of(self, slot) -> int:
        meta = self.meta.get(slot)
        return meta[1] if meta else self.gen.last_modified(slot)

    def all_slots(self):
        return list(range(self.n_base)) + sorted(s for s in self.overrides if s >= self.n_base)

    def store_order(self, slot, order, *, touch=True):
        """Every change of an order goes through here: last_modified, caches, secret index, journal."""
        old = None
        if self.emu.secret_index is not None:
            if slot in self.overrides:
                old = [(p["id"], p["secret"]) for p in positions_of(self.overrides[slot])]
            elif slot < self.n_base:
                old = self.gen.position_secrets(slot)
        if touch:
            order["last_modified"] = self.lt.iso(self.emu.clock.now())
        self._put(slot, order)
        self.version += 1
        self.emu.reindex(self, slot, old, order)
        self.emu.journal_write({"k": "order", "e": self.slug, "s": slot, "o": order})

    def new_slot(self):
        slot = self.next_slot
        self.next_slot += 1
        return slot

    def find_position(self, pid):
        """(slot, order dict, position dict) for a position id, or None."""
        slot = None
        if self.gen is not None:
            slot = self.gen.slot_of_pid(pid)
        if slot is not None:
            order = self.order_dict(slot)
            for p in positions_of(order):
                if p["id"] == pid:
                    return slot, order, p
        for slot, order in self.overrides.items():
            for p in positions_of(order):
                if p["id"] == pid:
                    return slot, order, p
        return None

    # --- catalog -----------------------------------------------------------------------------------

    def resource(self, kind, rid):
        for obj in self.res[kind]:
            if obj.get("id") == rid:
                return obj
        return None

    def store_resource(self, kind, objects):
        self.res[kind] = objects
        if kind in CONDITIONAL_KINDS:
            # pretix answers 304 while the newest change is not after If-Modified-Since (whole seconds);
            # moving to the next second guarantees that a change is never hidden behind a 304.
            old = self.res_lmd[kind]
            self.res_lmd[kind] = max(self.emu.clock.now(), (old // US + 1) * US)
        self.emu.journal_write({"k": "res", "e": self.slug, "r": kind, "v": objects,
                                "lmd": self.res_lmd.get(kind)})

    def store_event(self, event):
        self.event = event
        self.emu.journal_write({"k": "event", "e": self.slug, "v": event})

    def items_by_id(self):
        return {i["id"]: i for i in self.res["items"]}

    # --- what a list covers ------------------------------------------------------------------------

    def list_rule(self, lst):
        items = self.items_by_id()
        covered = items if lst.get("all_products") else [i for i in lst.get("limit_products", []) if i in items]
        return (lst["id"], bool(lst.get("include_pending")), lst.get("subevent"), tuple(sorted(covered)))

    def list_status(self, lst):
        """pretix's list status: positions the list covers (its products, paid orders or pending ones
        when the list includes pending or the order is valid_if_pending, not canceled, the list's
        subevent), those with an entry on the list, those inside. Generated orders are counted once;
        afterwards only the orders changed since are recounted."""
        items = self.items_by_id()
        if lst.get("all_products"):
            covered = list(items.values())
        else:
            covered = [items[i] for i in lst.get("limit_products", []) if i in items]
        covered.sort(key=lambda i: (i.get("position", 0), i["id"]))
        rule = self.list_rule(lst)
        if rule not in self.base_counts:
            # count the generated orders once, for every list at the same time
            rules = {rule} | {self.list_rule(l) for l in self.res["checkinlists"]}
            rules -= set(self.base_counts)
            fresh = {r: new_counts() for r in rules}
            for slot in range(self.n_base):
                summary = self.gen.summaries(slot)
                for r, counts in fresh.items():
                    count_order(counts, summary, r, 1)
            self.base_counts.update(fresh)
        counts = copy.deepcopy(self.base_counts[rule])
        for slot, order in self.overrides.items():
            if slot < self.n_base:
                count_order(counts, self.gen.summaries(slot), rule, -1)
            count_order(counts, order_summary(order), rule, 1)
        name = self.event.get("name")
        return {
            "checkin_count": counts["checked"], "position_count": counts["positions"],
            "inside_count": counts["inside"], "event": {"name": i18n_str(name)},
            "items": [{"name": i18n_str(i.get("name")), "id": i["id"],
                       "checkin_count": counts["in_item"].get(i["id"], 0), "admission": i.get("admission", False),
                       "position_count": counts["by_item"].get(i["id"], 0),
                       "variations": [{"value": i18n_str(v.get("value")), "id": v["id"],
                                       "checkin_count": counts["in_var"].get(v["id"], 0),
                                       "position_count": counts["by_var"].get(v["id"], 0)}
                                      for v in i.get("variations", [])]} for i in covered]}


def new_counts():
    return {"positions": 0, "checked": 0, "inside": 0, "by_item": {}, "by_var": {}, "in_item": {}, "in_var": {}}


def count_order(counts, summary, rule, sign):
    lid, include_pending, subevent, covered = rule
    status, vip, _, rows = summary
    if not (status == "p" or (status == "n" and (include_pending or vip))):
        return
    for pid, item, variation, sub, canceled, cis in rows:
        if canceled or item not in covered or (subevent and sub != subevent):
            continue
        counts["positions"] += sign
        counts["by_item"][item] = counts["by_item"].get(item, 0) + sign
        counts["by_var"][variation] = counts["by_var"].get(variation, 0) + sign
        mine = [t for (l, t) in cis if l == lid]
        if "entry" in mine:
            counts["checked"] += sign
            counts["in_item"][item] = counts["in_item"].get(item, 0) + sign
            counts["in_var"][variation] = counts["in_var"].get(variation, 0) + sign
        if mine and mine[-1] == "entry":
            counts["inside"] += sign


def order_summary(order):
    rows = []
    for p in positions_of(order):
        cis = [(c.get("list"), c.get("type") or "entry") for c in sorted(p.get("checkins", []),
                                                                         key=lambda c: c.get("datetime") or "")]
        rows.append((p["id"], p.get("item"), p.get("variation"), p.get("subevent"), bool(p.get("canceled")), cis))
    return order.get("status"), bool(order.get("valid_if_pending")), bool(order.get("require_approval")), rows


def i18n_str(value):
    if isinstance(value, dict):
        return value.get("en") or next(iter(value.values()), "")
    return value or ""


def apply_exclude(obj, exclude):
    obj = dict(obj)
    for field in exclude:
        if "." in field:
            head, rest = field.split(".", 1)
            if isinstance(obj.get(head), list):
                obj[head] = [apply_exclude(x, [rest]) if isinstance(x, dict) else x for x in obj[head]]
            elif isinstance(obj.get(head), dict):
                obj[head] = apply_exclude(obj[head], [rest])
        else:
            obj.pop(field, None)
    return obj


# --------------------------------------------------------------------------------------------------
# Requests and answers


class Resp:
    __slots__ = ("status", "body", "ctype", "headers")

    def __init__(self, status, obj=None, *, raw=None, ctype="application/json", headers=None):
        self.status = status
        if raw is not None:
            self.body = raw if isinstance(raw, bytes) else raw.encode()
        elif obj is None:
            self.body = b""
        else:
            self.body = js(obj).encode()
        self.ctype = ctype
        self.headers = list(headers or [])


class Req:
    def __init__(self, method, path, query, headers, body, host):
        self.method, self.path, self.query, self.headers, self.body, self.host = method, path, query, headers, body, host
        self.params = {}
        for key, value in query:
            self.params.setdefault(key, []).append(value)
        self.principal = None
        self._json = None

    def get(self, key, default=None):
        values = self.params.get(key)
        return values[-1] if values else default

    def getlist(self, key):
        return self.params.get(key, [])

    def flag(self, key):
        return (self.get(key) or "false").lower() == "true"

    def json(self):
        if self._json is None:
            if not self.body:
                self._json = {}
            else:
                try:
                    self._json = json.loads(self.body.decode("utf-8"))
                except (UnicodeDecodeError, ValueError) as exc:
                    raise ApiError(400, {"detail": "JSON parse error - %s" % exc})
        return self._json

    def url_with(self, **changes):
        query = {}
        for key, value in self.query:
            query.setdefault(key, []).append(value)
        for key, value in changes.items():
            if value is None:
                query.pop(key, None)
            else:
                query[key] = [str(value)]
        encoded = urlencode(sorted(query.items()), doseq=True)
        return "http://%s%s%s" % (self.host, self.path, "?" + encoded if encoded else "")


MAX_PAGE_SIZE = 50


def page_params(req: Req, max_size=MAX_PAGE_SIZE):
    size = max_size
    raw = req.get("page_size")
    if raw is not None:
        try:
            value = int(raw)
            if value > 0:
                size = min(value, max_size)
        except ValueError:
            pass
    raw_page = req.get("page", "1")
    return raw_page, size


def paginate(req: Req, count: int, max_size=MAX_PAGE_SIZE):
    """(start, stop, next url, previous url) as Django REST framework's PageNumberPagination does it."""
    raw_page, size = page_params(req, max_size)
    pages = max(1, (count + size - 1) // size)
    if raw_page == "last":
        page = pages
    else:
        try:
            page = int(raw_page)
        except ValueError:
            raise ApiError(404, {"detail": "Invalid page."})
        if page < 1 or page > pages:
            raise ApiError(404, {"detail": "Invalid page."})
    start = (page - 1) * size
    nxt = req.url_with(page=page + 1) if page < pages else None
    prev = None
    if page > 1:
        prev = req.url_with(page=None) if page == 2 else req.url_with(page=page - 1)
    return start, start + size, nxt, prev


def list_body(count, nxt, prev, results_json) -> bytes:
    if isinstance(results_json, str):
        results_json = results_json.encode()
    return ('{"count":%d,"next":%s,"previous":%s,"results":[' % (count, js(nxt), js(prev))).encode() + results_json + b"]}"


def parse_time_param(req, name):
    raw = req.get(name)
    if raw is None or raw == "":
        return None
    try:
        return parse_iso_us(raw)
    except ValueError:
        raise field_error(name, "Enter a valid date/time.")


def bool_param(value):
    return str(value).lower() in ("true", "1", "on", "yes")


def body_bool(data, field, default):
    """A boolean in a JSON body as Django REST framework reads it (true, "true", 1, "1", ...)."""
    value = data.get(field, default)
    if isinstance(value, str):
        if value.lower() in ("true", "1", "yes", "on", "t", "y"):
            return True
        if value.lower() in ("false", "0", "no", "off", "f", "n", ""):
            return False
        raise field_error(field, "Must be a valid boolean.")
    return bool(value)


CHECKIN_REASONS = ("canceled", "invalid", "unpaid", "product", "rules", "revoked", "incomplete", "already_redeemed",
                   "blocked", "invalid_time", "error", "ambiguous", "unapproved")
UPLOAD_TYPES = ("image/png", "image/jpeg", "image/gif", "application/pdf")
DATETIME_FORMAT_ERROR = ("Datetime has wrong format. Use one of these formats instead: "
                         "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].")
FAULT_KINDS = {"status": "status", "http": "status", "500": "status", "http500": "status",
               "rate_limit": "rate_limit", "429": "rate_limit", "slow": "slow", "reset": "reset",
               "truncate": "truncate", "truncated_json": "truncate", "content_type": "content_type",
               "wrong_content_type": "content_type", "unauthorized": "unauthorized", "401": "unauthorized"}
API_ROUTES = []


def route(method, pattern, name):
    def wrap(fn):
        API_ROUTES.append((method, re.compile("^" + pattern + "$"), name, fn))
        return fn
    return wrap


EV = r"/api/v1/organizers/(?P<org>[^/]+)/events/(?P<ev>[^/]+)"
ORG = r"/api/v1/organizers/(?P<org>[^/]+)"


# --------------------------------------------------------------------------------------------------
# The emulator


class Emulator(EmulatorCore):
    FAULT_KINDS = FAULT_KINDS

    def __init__(self, args, config, state_dir):
        super().__init__()
        self.args = args
        self.config = config
        self.state_dir = state_dir
        self.organizer = config["organizer"]
        self.clock = Clock(config.get("clock_offset_us", 0))
        self.events = {}
        self.devices = {}
        self.device_by_token = {}
        self.device_by_init = {}
        self.team_tokens = {}
        self.checkins = []
        self.ci_by_nonce = {}
        self.ci_by_pos = {}
        self.uploads = {}
        self.idempotency = {}
        self.next_id = 900_000_000
        self.secret_index = None
        self.journal = None
        self.replaying = False
        self.port = 0
        self.reset_counters()

    # --- counters ----------------------------------------------------------------------------------

    def reset_counters(self):
        self.requests_by_path = {}
        self.requests_by_route = {}
        self.accepted_by_nonce = {}
        self.deduplicated_by_nonce = {}
        self.annulled_by_nonce = {}
        self.annul_refused = {}
        self.failed_by_nonce = {}
        self.redeem_results = {}
        self.faults_fired = []
        self.other_counters = {"device_initializations": 0, "uploads": 0, "idempotent_replays": 0,
                               "failed_checkins": 0, "not_modified": 0}

    def counters(self):
        return {"requests": dict(self.requests_by_path), "routes": dict(self.requests_by_route),
                "accepted_checkins": dict(self.accepted_by_nonce),
                "deduplicated_checkins": dict(self.deduplicated_by_nonce),
                "annulments": dict(self.annulled_by_nonce), "annulments_refused": dict(self.annul_refused),
                "failed_checkins_by_nonce": dict(self.failed_by_nonce), "redeem_results": dict(self.redeem_results),
                "faults_fired": list(self.faults_fired), **self.other_counters}

    # --- journal -----------------------------------------------------------------------------------

    def journal_write(self, entry):
        if self.journal is not None and not self.replaying:
            self.journal.write(js(entry) + "\n")
            self.journal.flush()

    def take_id(self):
        value = self.next_id
        self.next_id += 1
        self.journal_write({"k": "id", "v": self.next_id})
        return value

    def replay(self, path):
        """Apply the journal. A line torn by a SIGKILL (never answered) ends it and is cut off, so
        that what is appended from now on is not lost behind it at the next start."""
        if not os.path.exists(path):
            return
        with open(path, "rb") as f:
            data = f.read()
        good = 0
        self.replaying = True
        try:
            while True:
                end = data.find(b"\n", good)
                if end < 0:
                    break
                try:
                    entry = json.loads(data[good:end])
                except ValueError:
                    break
                self.apply(entry)
                good = end + 1
        finally:
            self.replaying = False
        if good < len(data):
            sys.stderr.write("pretix_emulator: %s: dropped %d bytes of a torn last entry\n" % (path, len(data) - good))
            os.truncate(path, good)

    def apply(self, e):
        kind = e["k"]
        if kind == "order":
            ev = self.events[e["e"]]
            ev._put(e["s"], e["o"])
            ev.next_slot = max(ev.next_slot, e["s"] + 1)
            ev.version += 1
            self.clock.raise_floor(ev.meta[e["s"]][1])
        elif kind == "res":
            ev = self.events[e["e"]]
            ev.res[e["r"]] = e["v"]
            if e.get("lmd"):
                ev.res_lmd[e["r"]] = e["lmd"]
                self.clock.raise_floor(e["lmd"])
        elif kind == "event":
            self.events[e["e"]].event = e["v"]
        elif kind == "revpos":
            self.events[e["e"]].revoked_position[e["secret"]] = e["pid"]
        elif kind == "ci":
            self._add_checkin(e["c"])
        elif kind == "ciu":
            record = self.checkins[e["id"] - 1]
            record.update(e["f"])
            if e["f"].get("annulled") and record.get("nonce"):
                self.bump(self.annulled_by_nonce, record["nonce"])
        elif kind == "dev":
            self._put_device(e["v"])
        elif kind == "tok":
            self.team_tokens[e["t"]] = e["v"]
        elif kind == "up":
            self.uploads[e["id"]] = e["v"]
        elif kind == "idem":
            self.idempotency[e["key"]] = e["v"]
        elif kind == "id":
            self.next_id = max(self.next_id, e["v"])

    # --- devices and tokens ------------------------------------------------------------------------

    def _put_device(self, device):
        old = self.devices.get(device["device_id"])
        if old and old.get("api_token"):
            self.device_by_token.pop(old["api_token"], None)
        self.devices[device["device_id"]] = device
        if device.get("api_token"):
            self.device_by_token[device["api_token"]] = device
        self.device_by_init[device["init_token"]] = device

    def store_device(self, device):
        self._put_device(device)
        self.journal_write({"k": "dev", "v": device})

    def create_device(self, name="Kiosk", events=None, gate=None, init_token=None):
        device_id = max(self.devices, default=9) + 1
        device = {"device_id": device_id, "name": name, "unique_serial": hashed_code(CODE_ALPHABET, 16, "serial", device_id, time.time_ns()),
                  "init_token": init_token or random_token(16), "api_token": None, "initialized": None,
                  "revoked": False, "events": events, "gate": gate, "security_profile": "full",
                  "hardware_brand": None, "hardware_model": None, "os_name": None, "os_version": None,
                  "software_brand": None, "software_version": None}
        self.store_device(device)
        return device

    def store_team_token(self, token, events=None, active=True):
        self.team_tokens[token] = {"events": events, "active": active}
        self.journal_write({"k": "tok", "t": token, "v": self.team_tokens[token]})

    def authenticate(self, req):
        header = req.headers.get("Authorization")
        if not header:
            raise ApiError(401, {"detail": "Authentication credentials were not provided."})
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() == "token":
            info = self.team_tokens.get(token)
            if not info or not info.get("active"):
                raise ApiError(401, {"detail": "Invalid token."})
            return {"kind": "team", "events": info.get("events"), "key": "team:" + token, "device": None}
        if scheme.lower() == "device":
            device = self.device_by_token.get(token)
            if not device:
                raise ApiError(401, {"detail": "Invalid token."})
            if device.get("revoked"):
                raise ApiError(401, {"detail": "Device access has been revoked."})
            return {"kind": "device", "events": device.get("events"), "key": "device:%d" % device["device_id"],
                    "device": device}
        raise ApiError(401, {"detail": "Authentication credentials were not provided."})

    def event_for(self, req, org, slug) -> EventState:
        ev = self.events.get(slug)
        allowed = req.principal["events"]
        if org != self.organizer or ev is None or (allowed is not None and slug not in allowed):
            raise ApiError(403, {"detail": "You do not have permission to perform this action."})
        return ev

    def check_organizer(self, org):
        if org != self.organizer:
            raise ApiError(403, {"detail": "You do not have permission to perform this action."})

    def visible_events(self, principal):
        allowed = principal["events"]
        return [ev for slug, ev in self.events.items() if allowed is None or slug in allowed]

    # --- check-in records --------------------------------------------------------------------------

    def checkins_of(self, pid, lid):
        return [r for r in self.ci_by_pos.get(pid, []) if r["list"] == lid and r["successful"]]

    def _add_checkin(self, record):
        self.checkins.append(record)
        if record.get("position") is not None:
            self.ci_by_pos.setdefault(record["position"], []).append(record)
        if record.get("nonce"):
            self.ci_by_nonce.setdefault(record["nonce"], []).append(record)
        if record.get("successful") and record.get("source") == "redeem" and record.get("nonce"):
            self.bump(self.accepted_by_nonce, record["nonce"])
        if record.get("annulled") and record.get("nonce"):
            self.bump(self.annulled_by_nonce, record["nonce"])
        if record.get("source") == "failed_checkins":
            self.other_counters["failed_checkins"] += 1
            if record.get("nonce"):
                self.bump(self.failed_by_nonce, record["nonce"])

    def add_checkin(self, **fields):
        record = {"id": len(self.checkins) + 1, "created": iso_utc(self.clock.now()), "annulled": False, **fields}
        self._add_checkin(record)
        self.journal_write({"k": "ci", "c": record})
        return record

    def update_checkin(self, record, **fields):
        record.update(fields)
        self.journal_write({"k": "ciu", "id": record["id"], "f": fields})

    # --- secrets -----------------------------------------------------------------------------------

    def ensure_index(self):
        if self.secret_index is not None:
            return self.secret_index
        index = {}
        for ev in self.events.values():
            if ev.gen is not None:
                for slot, pid, secret, _ in ev.gen.iter_secrets():
                    if slot not in ev.overrides:
                        index.setdefault(secret, []).append((ev.slug, slot, pid))
            for slot, order in ev.overrides.items():
                for p in positions_of(order):
                    index.setdefault(p["secret"], []).append((ev.slug, slot, p["id"]))
        self.secret_index = index
        return index

    def reindex(self, ev, slot, old, new):
        if self.secret_index is None:
            return
        index = self.secret_index
        if old is not None:
            for pid, secret in old:
                entries = index.get(secret)
                if entries:
                    entries[:] = [x for x in entries if not (x[0] == ev.slug and x[1] == slot)]
                    if not entries:
                        del index[secret]
        for p in positions_of(new):
            entries = index.setdefault(p["secret"], [])
            if (ev.slug, slot, p["id"]) not in entries:
                entries.append((ev.slug, slot, p["id"]))

    def new_secret(self):
        index = self.ensure_index()
        while True:
            secret = "".join(_secrets.choice(SECRET_ALPHABET) for _ in range(32))
            if secret not in index:
                return secret

    def new_code(self, ev):
        while True:
            code = "".join(_secrets.choice(CODE_ALPHABET) for _ in range(5))
            if ev.slot_of_code(code) is None:
                return code

    # --- dispatch ----------------------------------------------------------------------------------

    def count_request(self, method, path, route_name):
        self.bump(self.requests_by_path, "%s %s" % (method, path))
        self.bump(self.requests_by_route, "%s %s" % (method, route_name))

    def find_route(self, method, path):
        if not path.endswith("/"):
            path += "/"
        allowed = []
        for m, pattern, name, fn in API_ROUTES:
            match = pattern.match(path)
            if match:
                if m == method:
                    return name, fn, match.groupdict()
                allowed.append(m)
        if allowed:
            return "method not allowed", None, {"allowed": allowed}
        return "unknown", None, {}

    def api(self, req: Req, route_name, fn, kwargs) -> Resp:
        with self.lock:
            try:
                if fn is None:
                    if route_name == "method not allowed":
                        raise ApiError(405, {"detail": 'Method "%s" not allowed.' % req.method})
                    raise not_found()
                if route_name != "device/initialize":
                    req.principal = self.authenticate(req)
                key = req.headers.get("X-Idempotency-Key")
                if key and req.method in ("POST", "PUT", "PATCH", "DELETE"):
                    idem = "%s|%s" % (req.principal["key"] if req.principal else "-", key)
                    stored = self.idempotency.get(idem)
                    if stored is not None:
                        self.other_counters["idempotent_replays"] += 1
                        return Resp(stored["status"], raw=stored["body"].encode(), ctype=stored["ctype"],
                                    headers=[("X-Idempotency-Replay", "true")])
                    resp = self._call(fn, req, kwargs)
                    if resp.status < 500:
                        self.idempotency[idem] = {"status": resp.status, "body": resp.body.decode("utf-8", "replace"),
                                                  "ctype": resp.ctype}
                        self.journal_write({"k": "idem", "key": idem, "v": self.idempotency[idem]})
                    return resp
                return self._call(fn, req, kwargs)
            except ApiError as exc:
                headers = [("WWW-Authenticate", 'Token')] if exc.status == 401 else []
                return Resp(exc.status, exc.body, headers=headers)

    def _call(self, fn, req, kwargs):
        try:
            return fn(self, req, **kwargs)
        except ApiError:
            raise
        except Exception:
            traceback.print_exc()
            return Resp(500, raw=b"<h1>Server Error (500)</h1>", ctype="text/html")


# --------------------------------------------------------------------------------------------------
# API: devices, uploads, events and their resources


def device_view(device):
    return {"organizer": device.get("organizer"), "device_id": device["device_id"],
            "unique_serial": device["unique_serial"], "api_token": device["api_token"], "name": device["name"],
            "security_profile": device.get("security_profile", "full"), "gate": device.get("gate")}


@route("POST", r"/api/v1/device/initialize/", "device/initialize")
def api_device_initialize(emu, req):
    data = req.json()
    if not isinstance(data, dict):
        raise ApiError(400, {"non_field_errors": ["Invalid data. Expected a dictionary, but got %s." % type(data).__name__]})
    errors = {f: ["This field is required."] for f in
              ("token", "hardware_brand", "hardware_model", "software_brand", "software_version")
              if not isinstance(data.get(f), str) or not data.get(f)}
    if errors:
        raise ApiError(400, errors)
    device = emu.device_by_init.get(data["token"])
    if device is None:
        raise field_error("token", "Unknown initialization token.")
    if device.get("initialized"):
        raise field_error("token", "This initialization token has already been used.")
    if device.get("revoked"):
        raise field_error("token", "This initialization token has been revoked.")
    device = dict(device)
    device["initialized"] = iso_utc(emu.clock.now())
    for f in ("hardware_brand", "hardware_model", "os_name", "os_version", "software_brand", "software_version"):
        device[f] = data.get(f)
    device["api_token"] = random_token(64)
    device["organizer"] = emu.organizer
    emu.store_device(device)
    emu.other_counters["device_initializations"] += 1
    return Resp(200, device_view(device))


def require_device(req):
    if req.principal["kind"] != "device":
        raise ApiError(401, {"detail": "Authentication credentials were not provided."})
    return req.principal["device"]


@route("GET", r"/api/v1/device/info/", "device/info")
def api_device_info(emu, req):
    device = require_device(req)
    return Resp(200, {"device": device_view(device),
                      "server": {"version": {"pretix": "2025.1.0", "pretix_numeric": 2025001000}},
                      "medium_key_sets": []})


@route("POST", r"/api/v1/device/update/", "device/update")
def api_device_update(emu, req):
    device = dict(require_device(req))
    data = req.json()
    for f in ("hardware_brand", "hardware_model", "os_name", "os_version", "software_brand", "software_version"):
        if f in data:
            device[f] = data[f]
    emu.store_device(device)
    return Resp(200, device_view(device))


@route("POST", r"/api/v1/device/roll/", "device/roll")
def api_device_roll(emu, req):
    device = dict(require_device(req))
    device["api_token"] = random_token(64)
    emu.store_device(device)
    return Resp(200, device_view(device))


@route("POST", r"/api/v1/device/revoke/", "device/revoke")
def api_device_revoke(emu, req):
    device = dict(require_device(req))
    device["revoked"] = True
    emu.store_device(device)
    return Resp(200, device_view(device))


@route("POST", r"/api/v1/upload/", "upload")
def api_upload(emu, req):
    ctype = (req.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    disposition = req.headers.get("Content-Disposition") or ""
    match = re.search(r'filename="?([^";]+)"?', disposition)
    if not match:
        raise ApiError(400, {"detail": "Missing filename in Content-Disposition header."})
    if ctype not in UPLOAD_TYPES:
        raise ApiError(400, {"detail": "Content type is not allowed."})
    if len(req.body) > emu.args.upload_limit:
        raise ApiError(400, {"detail": "File size exceeds the limit."})
    if not req.body:
        raise ApiError(400, {"detail": "The submitted file is empty."})
    file_id = str(uuid.uuid4())
    meta = {"content_type": ctype, "filename": match.group(1), "size": len(req.body), "owner": req.principal["key"],
            "sha256": hashlib.sha256(req.body).hexdigest()}
    if emu.state_dir:
        os.makedirs(os.path.join(emu.state_dir, "uploads"), exist_ok=True)
        with open(os.path.join(emu.state_dir, "uploads", file_id), "wb") as f:
            f.write(req.body)
    emu.uploads[file_id] = meta
    emu.journal_write({"k": "up", "id": file_id, "v": meta})
    emu.other_counters["uploads"] += 1
    return Resp(201, {"id": "file:" + file_id})


@route("GET", ORG + r"/events/", "events")
def api_events(emu, req, org):
    emu.check_organizer(org)
    events = [ev.event for ev in emu.visible_events(req.principal)]
    start, stop, nxt, prev = paginate(req, len(events))
    return Resp(200, raw=list_body(len(events), nxt, prev, ",".join(js(e) for e in events[start:stop])),
                headers=[("X-Page-Generated", iso_utc(emu.clock.now()))])


@route("GET", EV + r"/", "event")
def api_event(emu, req, org, ev):
    return Resp(200, emu.event_for(req, org, ev).event)


def sort_objects(kind, objects, ev):
    if kind in ("items", "questions"):
        return sorted(objects, key=lambda o: (o.get("position") or 0, o["id"]))
    if kind == "checkinlists":
        subevents = {s["id"]: s.get("date_from") or "" for s in ev.res["subevents"]}
        return sorted(objects, key=lambda o: (subevents.get(o.get("subevent"), ""), o.get("name") or "", o["id"]))
    if kind == "subevents":
        return sorted(objects, key=lambda o: (o.get("date_from") or "", o["id"]))
    if kind == "revokedsecrets":
        return sorted(objects, key=lambda o: (parse_iso_us(o["created"]), o["id"]))
    if kind == "blockedsecrets":
        return sorted(objects, key=lambda o: (parse_iso_us(o["updated"]), o["id"]))
    return sorted(objects, key=lambda o: o.get("id", 0))


def with_counts(ev, lst, exclude):
    lst = dict(lst)
    if "checkin_count" not in exclude or "position_count" not in exclude:
        status = ev.list_status(lst)
        lst["checkin_count"], lst["position_count"] = status["checkin_count"], status["position_count"]
    return apply_exclude(lst, exclude) if exclude else lst


@route("GET", EV + r"/(?P<kind>items|checkinlists|questions|subevents|badgelayouts|badgeitems|revokedsecrets|blockedsecrets)/",
       "resource list")
def api_resource_list(emu, req, org, ev, kind):
    e = emu.event_for(req, org, ev)
    generated = emu.clock.now()
    headers = [("X-Page-Generated", iso_utc(generated))]
    if kind in CONDITIONAL_KINDS:
        lmd = e.res_lmd[kind]
        headers.append(("Last-Modified", http_date(lmd)))
        ims = parse_http_date_us(req.headers.get("If-Modified-Since") or "")
        ius = parse_http_date_us(req.headers.get("If-Unmodified-Since") or "")
        if ius is not None and lmd // US > ius // US:
            return Resp(412, headers=headers)
        if ims is not None and lmd // US <= ims // US:
            emu.other_counters["not_modified"] += 1
            return Resp(304, headers=headers)
    objects = e.res[kind]
    if kind == "revokedsecrets":
        since = parse_time_param(req, "created_since")
        if since is not None:
            objects = [o for o in objects if parse_iso_us(o["created"]) >= since]
    elif kind == "blockedsecrets":
        since = parse_time_param(req, "updated_since")
        if since is not None:
            objects = [o for o in objects if parse_iso_us(o["updated"]) >= since]
        if req.get("blocked") is not None:
            objects = [o for o in objects if o.get("blocked") == bool_param(req.get("blocked"))]
    elif kind == "subevents":
        since = parse_time_param(req, "modified_since")
        if since is not None:
            objects = [o for o in objects if o.get("last_modified") and parse_iso_us(o["last_modified"]) >= since]
        if req.get("active") is not None:
            objects = [o for o in objects if o.get("active") == bool_param(req.get("active"))]
    elif kind == "checkinlists":
        if req.get("subevent"):
            objects = [o for o in objects if str(o.get("subevent")) == req.get("subevent")]
        if req.get("subevent_match"):
            objects = [o for o in objects if o.get("subevent") is None or str(o.get("subevent")) == req.get("subevent_match")]
    elif kind == "items":
        if req.get("active") is not None:
            objects = [o for o in objects if o.get("active") == bool_param(req.get("active"))]
    if kind in ("revokedsecrets", "blockedsecrets") and req.get("secret"):
        objects = [o for o in objects if o.get("secret") == req.get("secret")]
    objects = sort_objects(kind, objects, e)
    start, stop, nxt, prev = paginate(req, len(objects))
    page = objects[start:stop]
    exclude = req.getlist("exclude")
    if kind == "checkinlists":
        page = [with_counts(e, o, exclude) for o in page]
    elif exclude:
        page = [apply_exclude(o, exclude) for o in page]
    return Resp(200, raw=list_body(len(objects), nxt, prev, ",".join(js(o) for o in page)), headers=headers)


@route("GET", EV + r"/(?P<kind>items|checkinlists|questions|subevents|badgelayouts|badgeitems|revokedsecrets|blockedsecrets)/(?P<rid>[0-9]+)/",
       "resource detail")
def api_resource_detail(emu, req, org, ev, kind, rid):
    e = emu.event_for(req, org, ev)
    obj = e.resource(kind, int(rid))
    if obj is None:
        raise not_found()
    if kind == "checkinlists":
        obj = with_counts(e, obj, req.getlist("exclude"))
    return Resp(200, obj)


# --- orders ---------------------------------------------------------------------------------------


def order_query(emu, req, e):
    ordering = []
    for field in (req.get("ordering") or "").split(","):
        field = field.strip()
        if field.lstrip("-") in ORDER_FIELDS_ORDERING:
            ordering.append(field)
    if not ordering:
        ordering = ["datetime"]
    filters = {}
    for name in ("modified_since", "created_since", "created_before"):
        value = parse_time_param(req, name)
        if value is not None:
            filters[name] = value
    for name in ("status", "code", "email", "locale"):
        if req.get(name):
            filters[name] = req.get(name).lower()
    for name in ("testmode", "require_approval"):
        if req.get(name) is not None:
            filters[name] = bool_param(req.get(name))
    return ordering, filters


def order_slots(e: EventState, ordering, filters):
    key = (tuple(ordering), tuple(sorted(filters.items())))
    cached = e.query_cache.get(key)
    if cached and cached[0] == e.version:
        return cached[1]
    ms, cs, cb = filters.get("modified_since"), filters.get("created_since"), filters.get("created_before")
    if ms is not None and (e.gen is None or ms > e.gen.max_last_modified()):
        candidates = sorted(e.overrides)          # nothing else was modified since
    elif cs is not None and e.gen is not None:
        start = e.gen.first_index_created_since(cs)
        candidates = list(range(start, e.n_base)) + sorted(s for s in e.overrides if s >= e.n_base)
    else:
        candidates = e.all_slots()
    out = []
    slow = [f for f in ("status", "code", "email", "locale", "require_approval") if f in filters]
    for slot in candidates:
        if ms is not None and e.lm_of(slot) < ms:
            continue
        if cs is not None and e.created_of(slot) < cs:
            continue
        if cb is not None and e.created_of(slot) >= cb:
            continue
        if filters.get("testmode") is True:
            continue
        if slow:
            order = e.order_dict(slot)
            if any(str(order.get(f) if f != "require_approval" else bool(order.get(f))).lower() !=
                   str(filters[f]).lower() for f in slow):
                continue
        out.append(slot)
    for field in reversed(ordering):
        name, desc = field.lstrip("-"), field.startswith("-")
        if name == "datetime":
            keyf = e.created_of
        elif name == "last_modified":
            keyf = e.lm_of
        elif name == "code":
            keyf = lambda s: e.overrides[s]["code"] if s in e.overrides else e.gen.code(s)
        else:
            keyf = lambda s: str(e.order_dict(s).get("status"))
        out.sort(key=keyf, reverse=desc)
    e.query_cache = {k: v for k, v in e.query_cache.items() if v[0] == e.version}
    e.query_cache[key] = (e.version, out)
    return out


TEXT_CACHE_LIMIT = 512 * 1024 * 1024     # bytes of rendered generated orders kept per event


def render_orders(e: EventState, slots, include_canceled, exclude) -> bytes:
    """The JSON of these orders, joined. Generated orders that nobody changed are rendered once and
    kept as UTF-8 (rendering is the emulator's main cost: ~60 us per order)."""
    cache = e.text_cache.setdefault((include_canceled, exclude), {})
    out = []
    for slot in slots:
        if slot in e.overrides or slot >= e.n_base:
            out.append(e.order_text(slot, include_canceled, exclude).encode())
            continue
        text = cache.get(slot)
        if text is None:
            text = e.order_text(slot, include_canceled, exclude).encode()
            if e.text_cache_bytes + len(text) < TEXT_CACHE_LIMIT:
                cache[slot] = text
                e.text_cache_bytes += len(text)
        out.append(text)
    return b",".join(out)


@route("GET", EV + r"/orders/", "orders")
def api_orders(emu, req, org, ev):
    e = emu.event_for(req, org, ev)
    generated = emu.clock.now()
    ordering, filters = order_query(emu, req, e)
    slots = order_slots(e, ordering, filters)
    start, stop, nxt, prev = paginate(req, len(slots))
    text = render_orders(e, slots[start:stop], req.flag("include_canceled_positions"), tuple(req.getlist("exclude")))
    return Resp(200, raw=list_body(len(slots), nxt, prev, text), headers=[("X-Page-Generated", iso_utc(generated))])


@route("GET", EV + r"/orders/(?P<code>[^/]+)/", "order")
def api_order(emu, req, org, ev, code):
    e = emu.event_for(req, org, ev)
    slot = e.slot_of_code(code)
    if slot is None:
        raise not_found()
    return Resp(200, raw=e.order_text(slot, req.flag("include_canceled_positions"), tuple(req.getlist("exclude"))))


# --------------------------------------------------------------------------------------------------
# API: check-in (redeem, annul, failed scans, search, list status)


def mini_list(ev, lst):
    return {"id": lst["id"], "name": lst.get("name"), "event": ev.slug, "subevent": lst.get("subevent"),
            "include_pending": lst.get("include_pending", False)}


def attention_and_texts(ev, order, pos):
    item = ev.items_by_id().get(pos.get("item")) or {}
    variation = next((v for v in item.get("variations", []) if v["id"] == pos.get("variation")), {})
    attention = bool(order.get("checkin_attention") or item.get("checkin_attention") or variation.get("checkin_attention"))
    texts = [t for t in (order.get("checkin_text"), item.get("checkin_text"), variation.get("checkin_text")) if t]
    return attention, texts


def position_view(ev, order, pos, list_ids):
    """pretix's CheckinListOrderPositionSerializer: the position, its check-ins on the given lists,
    require_attention and the order fields a scanner needs."""
    view = dict(pos)
    view["checkins"] = [c for c in pos.get("checkins", []) if c.get("list") in list_ids]
    view["require_attention"] = attention_and_texts(ev, order, pos)[0]
    view["order__status"] = order.get("status")
    view["order__valid_if_pending"] = order.get("valid_if_pending", False)
    view["order__require_approval"] = order.get("require_approval", False)
    view["order__locale"] = order.get("locale")
    return view


def resolve_lists(emu, req, raw_lists):
    if raw_lists is None:
        raise field_error("lists", "This field is required.")
    if not isinstance(raw_lists, list):
        raise field_error("lists", 'Expected a list of items but got type "%s".' % type(raw_lists).__name__)
    if not raw_lists:
        raise field_error("lists", "This list may not be empty.")
    out = []
    for raw in raw_lists:
        if isinstance(raw, bool) or not isinstance(raw, (int, str)) or not str(raw).isdigit():
            raise field_error("lists", "Incorrect type. Expected pk value, received %s." % type(raw).__name__)
        found = None
        for ev in emu.visible_events(req.principal):
            lst = ev.resource("checkinlists", int(raw))
            if lst is not None:
                found = (ev, lst)
                break
        if found is None:
            raise field_error("lists", 'Invalid pk "%s" - object does not exist.' % raw)
        out.append(found)
    if len({ev.slug for ev, _ in out}) != len(out):
        raise ApiError(400, ["Selecting two check-in lists from the same event is unsupported."])
    return out


def parse_body_datetime(data, field="datetime"):
    raw = data.get(field)
    if raw is None:
        return None
    try:
        return parse_iso_us(raw)
    except (ValueError, TypeError):
        raise field_error(field, DATETIME_FORMAT_ERROR)


def clean_answer(emu, req, q, raw):
    """(answer text, [(option id, identifier)]) for a valid answer, None for an invalid one; an empty
    answer to a question that is not required is valid and empty (pretix removes the answer)."""
    if raw is None:
        return None
    raw = str(raw) if not isinstance(raw, str) else raw
    if raw.strip() == "":
        return None if q.get("required") else ("", [])
    qtype = q.get("type")
    value = raw.strip()
    try:
        if qtype == "B":
            if value.lower() in ("true", "1", "on", "yes"):
                return "True", []
            if value.lower() in ("false", "0", "off", "no"):
                return (None if q.get("required") else ("False", []))
            return None
        if qtype == "N":
            number = float(value)
            if q.get("valid_number_min") not in (None, "") and number < float(q["valid_number_min"]):
                return None
            if q.get("valid_number_max") not in (None, "") and number > float(q["valid_number_max"]):
                return None
            return value, []
        if qtype in ("S", "T"):
            limit = q.get("valid_string_length_max")
            return (None if limit and len(value) > int(limit) else (value, []))
        if qtype in ("C", "M"):
            options = {str(o["id"]): o for o in q.get("options", [])}
            chosen = [x.strip() for x in value.split(",") if x.strip()]
            if not chosen or any(c not in options for c in chosen) or (qtype == "C" and len(chosen) != 1):
                return None
            picked = [options[c] for c in chosen]
            return ", ".join(i18n_str(o.get("answer")) for o in picked), [(o["id"], o.get("identifier")) for o in picked]
        if qtype == "D":
            day = dt.date.fromisoformat(value)
            if q.get("valid_date_min") and day < dt.date.fromisoformat(q["valid_date_min"]):
                return None
            if q.get("valid_date_max") and day > dt.date.fromisoformat(q["valid_date_max"]):
                return None
            return day.isoformat(), []
        if qtype == "H":
            return dt.time.fromisoformat(value).isoformat(), []
        if qtype == "W":
            parse_iso_us(value)
            return value, []
        if qtype == "EMAIL":
            return (value, []) if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value) else None
        if qtype == "TEL":
            return (value, []) if re.fullmatch(r"\+?[0-9][0-9 ()/.-]{3,}", value) else None
        if qtype == "CC":
            return (value.upper(), []) if re.fullmatch(r"[A-Za-z]{2}", value) else None
        if qtype == "F":
            if not value.startswith("file:"):
                return None
            meta = emu.uploads.get(value[5:])
            if meta is None or meta.get("owner") != req.principal["key"] or meta["content_type"] not in UPLOAD_TYPES:
                return None
            return "file://%s/%s" % (value[5:], meta["filename"]), []
    except (ValueError, TypeError):
        return None
    return value, []


def question_visible(q, qmap, answered, depth=0):
    dep = q.get("dependency_question")
    if not dep or depth > 20:
        return True
    parent = qmap.get(dep)
    if parent is None:
        return True
    if not question_visible(parent, qmap, answered, depth + 1):
        return False
    given = answered.get(dep)
    if given is None:
        return False
    values = q.get("dependency_values") or ([q["dependency_value"]] if q.get("dependency_value") else [])
    text, identifiers = given
    if parent.get("type") == "B":
        return ("True" if text == "True" else "False") in values
    return any(i in values for i in identifiers)


def redeem(emu, req, lists, *, secret, answers, dt_us, force, ctype, ignore_unpaid, nonce, questions_supported,
           canceled_supported=True, by_id=False, source_type="barcode"):
    device = req.principal["device"]
    gate = (device.get("gate") or {}).get("id") if device else None
    by_event = {ev.slug: (ev, lst) for ev, lst in lists}
    first_ev, first_list = lists[0]
    when = dt_us if dt_us is not None else emu.clock.now()
    common = {"raw_barcode": secret, "raw_source_type": source_type, "type": ctype, "dt_us": when,
              "device": device["device_id"] if device else None, "gate": gate, "nonce": nonce, "forced": bool(force),
              "source": "redeem", "auth": req.principal["key"]}
    candidates = []

    def add_candidates(ev, lst, slot, order, pid):
        pos = next((p for p in positions_of(order) if p["id"] == pid), None)
        if pos is None:
            return
        candidates.append((ev, lst, slot, order, pos))
        if lst.get("addon_match"):
            for p in positions_of(order):
                if p.get("addon_to") == pid:
                    candidates.append((ev, lst, slot, order, p))

    for slug, slot, pid in list(emu.ensure_index().get(secret, [])):
        if slug in by_event:
            ev, lst = by_event[slug]
            add_candidates(ev, lst, slot, ev.order_dict(slot), pid)
    if by_id and secret.isdigit() and not candidates:
        for ev, lst in lists:
            found = ev.find_position(int(secret))
            if found:
                add_candidates(ev, lst, found[0], found[1], int(secret))
    from_revoked = False
    if not candidates:
        revoked = [(ev, lst) for ev, lst in lists if any(r.get("secret") == secret for r in ev.res["revokedsecrets"])]
        if not revoked:
            emu.add_checkin(event=first_ev.slug, list=first_list["id"], position=None, order=None, successful=False,
                            error_reason="invalid", error_explanation=None, datetime=first_ev.lt.iso(when), **common)
            emu.bump(emu.redeem_results, "error:invalid")
            return Resp(404, {"detail": "Not found.", "status": "error", "reason": "invalid", "reason_explanation": None,
                              "require_attention": False, "checkin_texts": [], "list": mini_list(first_ev, first_list)})
        ev, lst = revoked[0]
        pid = ev.revoked_position.get(secret)
        found = ev.find_position(pid) if pid else None
        if force and found:
            add_candidates(ev, lst, found[0], found[1], pid)
            from_revoked = True
        else:
            emu.add_checkin(event=ev.slug, list=lst["id"], position=pid if found else None,
                            order=found[1]["code"] if found else None, successful=False, error_reason="revoked",
                            error_explanation=None, datetime=ev.lt.iso(when), **common)
            emu.bump(emu.redeem_results, "error:revoked")
            body = {"status": "error", "reason": "revoked", "reason_explanation": None, "require_attention": False,
                    "checkin_texts": [], "list": mini_list(ev, lst)}
            if found:
                body["position"] = position_view(ev, found[1], found[2], {lst["id"]})
            return Resp(400, body)
    if len(candidates) > 1:
        matching = [c for c in candidates
                    if (c[1].get("addon_match") or c[4]["secret"] == secret)
                    and (c[1].get("all_products") or c[4]["item"] in c[1].get("limit_products", []))]
        if len(matching) > 1:
            def valid_now(c):
                vf, vu = c[4].get("valid_from"), c[4].get("valid_until")
                return (not vf or parse_iso_us(vf) < when) and (not vu or parse_iso_us(vu) > when)
            matching = [c for c in matching if valid_now(c)]
        if not matching:
            candidates = candidates[:1]
        elif len(matching) > 1:
            ev, lst, slot, order, pos = candidates[0]
            emu.add_checkin(event=ev.slug, list=lst["id"], position=pos["id"], order=order["code"], successful=False,
                            error_reason="ambiguous", error_explanation=None, datetime=ev.lt.iso(when), **common)
            emu.bump(emu.redeem_results, "error:ambiguous")
            attention, texts = attention_and_texts(ev, order, pos)
            return Resp(400, {"status": "error", "reason": "ambiguous", "reason_explanation": None,
                              "require_attention": attention, "checkin_texts": texts,
                              "position": position_view(ev, order, pos, {lst["id"]}), "list": mini_list(ev, lst)})
        else:
            candidates = matching
    ev, lst, slot, order, pos = candidates[0]
    return perform_checkin(emu, req, ev, lst, slot, order, pos, answers=answers, when=when, force=force, ctype=ctype,
                           ignore_unpaid=ignore_unpaid, nonce=nonce, questions_supported=questions_supported,
                           canceled_supported=canceled_supported, common=common, from_revoked=from_revoked)


def perform_checkin(emu, req, ev, lst, slot, order, pos, *, answers, when, force, ctype, ignore_unpaid, nonce,
                    questions_supported, canceled_supported, common, from_revoked):
    lid = lst["id"]
    device_id = common["device"]

    def respond_error(reason, explanation=None):
        emu.add_checkin(event=ev.slug, list=lid, position=pos["id"], order=order["code"], successful=False,
                        error_reason=reason, error_explanation=explanation, datetime=ev.lt.iso(when), **common)
        emu.bump(emu.redeem_results, "error:" + reason)
        attention, texts = attention_and_texts(ev, order, pos)
        return Resp(400, {"status": "error", "reason": reason, "reason_explanation": explanation,
                          "require_attention": attention, "checkin_texts": texts,
                          "position": position_view(ev, order, pos, {lid}), "list": mini_list(ev, lst)})

    if pos.get("canceled") or order["status"] in ("c", "e"):
        return respond_error("canceled" if canceled_supported else "unpaid")

    # Answers given with the scan are validated and kept even if the check-in fails further down.
    qmap = {q["id"]: q for q in ev.res["questions"]}
    asked = sorted((q for q in ev.res["questions"] if q.get("ask_during_checkin") and pos["item"] in (q.get("items") or [])),
                   key=lambda q: (q.get("position") or 0, q["id"]))
    given = {}
    if isinstance(answers, dict):
        for q in asked:
            if str(q["id"]) in answers:
                cleaned = clean_answer(emu, req, q, answers[str(q["id"])])
                if cleaned is not None:
                    given[q["id"]] = cleaned
    if given and ctype != "exit":
        order = ev.mutable(slot, order)
        pos = next(p for p in positions_of(order) if p["id"] == pos["id"])
        kept = [a for a in pos.get("answers", []) if a.get("question") not in given]
        for qid, (text, options) in given.items():
            if text != "":
                kept.append({"question": qid, "answer": text, "question_identifier": qmap[qid].get("identifier"),
                             "options": [o[0] for o in options], "option_identifiers": [o[1] for o in options]})
        pos["answers"] = kept
        ev.store_order(slot, order)

    if pos.get("blocked"):
        return respond_error("blocked")
    if order["status"] == "n" and order.get("require_approval"):
        return respond_error("unapproved")
    if ctype == "entry" and not force:
        if pos.get("valid_from") and when < parse_iso_us(pos["valid_from"]):
            return respond_error("invalid_time", "This ticket is only valid after %s." % pos["valid_from"])
        if pos.get("valid_until") and when > parse_iso_us(pos["valid_until"]):
            return respond_error("invalid_time", "This ticket was only valid before %s." % pos["valid_until"])
    if not lst.get("all_products") and pos["item"] not in lst.get("limit_products", []):
        return respond_error("product")
    if lst.get("subevent") and pos.get("subevent") != lst["subevent"]:
        return respond_error("invalid")
    if order["status"] == "n" and not force and not order.get("valid_if_pending") \
            and not (ignore_unpaid and lst.get("include_pending")):
        return respond_error("unpaid")

    mine = sorted((c for c in pos.get("checkins", []) if c.get("list") == lid),
                  key=lambda c: parse_iso_us(c["datetime"]))
    if ctype == "entry" and not force and lst.get("rules"):
        subevent = ev.resource("subevents", pos["subevent"]) if pos.get("subevent") else None
        times = {k: (subevent or ev.event).get(k) for k in ("date_from", "date_to", "date_admission")}
        env = RuleEnv(tz=ev.tzinfo, now_us=when, product=pos["item"], variation=pos.get("variation"),
                      gate=common["gate"],
                      entries=[parse_iso_us(c["datetime"]) for c in mine if (c.get("type") or "entry") == "entry"],
                      last_type=(mine[-1].get("type") or "entry") if mine else None, event_times=times)
        try:
            allowed = _truthy(rule_eval(lst["rules"], env))
        except Exception:
            allowed = False
        if not allowed:
            return respond_error("rules", rule_explain(lst["rules"], env))

    if ctype != "exit" and questions_supported and not force:
        answered = {a["question"]: (a.get("answer"), a.get("option_identifiers") or []) for a in pos.get("answers", [])}
        for qid, (text, options) in given.items():
            answered[qid] = (text, [o[1] for o in options])
        missing = [q for q in asked if q["id"] not in answered and question_visible(q, qmap, answered)]
        if missing:
            emu.bump(emu.redeem_results, "incomplete")
            attention, texts = attention_and_texts(ev, order, pos)
            return Resp(400, {"status": "incomplete", "require_attention": attention, "checkin_texts": texts,
                              "position": position_view(ev, order, pos, {lid}), "questions": missing,
                              "list": mini_list(ev, lst)})

    attention, texts = attention_and_texts(ev, order, pos)
    if nonce:
        records = [r for r in emu.ci_by_nonce.get(nonce, []) if r["successful"] and r["source"] == "redeem"
                   and r["position"] == pos["id"] and r["list"] == lid]
        last_nonce = None
        if mine:
            last = mine[-1]
            last_us = parse_iso_us(last["datetime"])
            last_nonce = next((r["nonce"] for r in emu.checkins_of(pos["id"], lid)
                               if r["dt_us"] == last_us and r["type"] == (last.get("type") or "entry")), None)
        if last_nonce == nonce or any(r["type"] == ctype and r["device"] == device_id for r in records):
            emu.bump(emu.deduplicated_by_nonce, nonce)
            emu.bump(emu.redeem_results, "ok")
            return Resp(201, {"status": "ok", "require_attention": attention, "checkin_texts": texts,
                              "position": position_view(ev, order, pos, {lid}), "list": mini_list(ev, lst)})

    entry_allowed = (ctype == "exit" or lst.get("allow_multiple_entries") or not mine
                     or all((c.get("type") or "entry") == "exit" for c in mine)
                     or (lst.get("allow_entry_after_exit") and (mine[-1].get("type") or "entry") == "exit"))
    if not entry_allowed and not force:
        return respond_error("already_redeemed")

    order = ev.mutable(slot, order)
    pos = next(p for p in positions_of(order) if p["id"] == pos["id"])
    pos.setdefault("checkins", []).append({"list": lid, "datetime": ev.lt.iso(when), "type": ctype,
                                           "gate": common["gate"], "device": device_id, "auto_checked_in": False})
    ev.store_order(slot, order)
    fields = dict(common)
    fields["forced"] = bool(force and (not entry_allowed or from_revoked))
    emu.add_checkin(event=ev.slug, list=lid, position=pos["id"], order=order["code"], successful=True,
                    error_reason=None, error_explanation=None, datetime=ev.lt.iso(when), **fields)
    emu.bump(emu.redeem_results, "ok")
    return Resp(201, {"status": "ok", "require_attention": attention, "checkin_texts": texts,
                      "position": position_view(ev, order, pos, {lid}), "list": mini_list(ev, lst)})


def redeem_options(data):
    if not isinstance(data, dict):
        raise ApiError(400, {"non_field_errors": ["Invalid data. Expected a dictionary, but got %s." % type(data).__name__]})
    ctype = data.get("type") or "entry"
    if ctype not in ("entry", "exit"):
        raise field_error("type", '"%s" is not a valid choice.' % ctype)
    answers = data.get("answers")
    if answers is not None and not isinstance(answers, dict):
        raise field_error("answers", 'Expected a dictionary of items but got type "%s".' % type(answers).__name__)
    nonce = data.get("nonce")
    if nonce is not None and not isinstance(nonce, str):
        nonce = str(nonce)
    return {"dt_us": parse_body_datetime(data), "force": body_bool(data, "force", False), "ctype": ctype,
            "ignore_unpaid": body_bool(data, "ignore_unpaid", False), "nonce": nonce or None, "answers": answers,
            "questions_supported": body_bool(data, "questions_supported", True)}


@route("POST", ORG + r"/checkinrpc/redeem/", "checkinrpc/redeem")
def api_rpc_redeem(emu, req, org):
    emu.check_organizer(org)
    data = req.json()
    options = redeem_options(data)
    secret = data.get("secret")
    if not isinstance(secret, str) or not secret:
        raise field_error("secret", "This field is required.")
    lists = resolve_lists(emu, req, data.get("lists"))
    source_type = data.get("source_type") or "barcode"
    return redeem(emu, req, lists, secret=secret, source_type=source_type, **options)


@route("POST", EV + r"/checkinlists/(?P<lid>[0-9]+)/positions/(?P<pk>.+)/redeem/", "checkinlists/positions/redeem")
def api_list_redeem(emu, req, org, ev, lid, pk):
    e = emu.event_for(req, org, ev)
    lst = e.resource("checkinlists", int(lid))
    if lst is None:
        raise not_found()
    data = req.json()
    options = redeem_options(data)
    untrusted = req.get("untrusted_input", "") not in ("", "0", "false", "False")
    return redeem(emu, req, [(e, lst)], secret=unquote(pk), by_id=not untrusted,
                  canceled_supported=body_bool(data, "canceled_supported", False), **options)


@route("POST", ORG + r"/checkinrpc/annul/", "checkinrpc/annul")
def api_rpc_annul(emu, req, org):
    emu.check_organizer(org)
    data = req.json()
    if not isinstance(data, dict):
        raise ApiError(400, {"non_field_errors": ["Invalid data."]})
    nonce = data.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise field_error("nonce", "This field is required.")
    lists = resolve_lists(emu, req, data.get("lists"))
    when = parse_body_datetime(data)
    list_ids = {lst["id"] for _, lst in lists}
    records = [r for r in emu.ci_by_nonce.get(nonce, []) if r["source"] == "redeem" and r["list"] in list_ids]

    def refuse(status, body, why):
        emu.annul_refused.setdefault(nonce, []).append(why)
        return Resp(status, body)

    if not records:
        return refuse(404, {"detail": "No check-in found based on nonce"}, "not found")
    if len(records) > 1:
        return refuse(400, ["Multiple check-ins found based on nonce"], "multiple")
    record = records[0]
    if not record["successful"] or record["position"] is None:
        return refuse(400, ["Cannot annul an unsuccessful checkin"], "unsuccessful")
    annulled_at = when if when is not None else emu.clock.now()
    if annulled_at - record["dt_us"] > 15 * 60 * US:
        return refuse(400, {"non_field_errors": ["Annulment is not allowed more than 15 minutes after check-in"]},
                      "too late")
    me = req.principal["device"]["device_id"] if req.principal["device"] else None
    if record["device"] is not None and record["device"] != me:
        return refuse(400, {"non_field_errors": ["Annulment is only allowed from the same device"]}, "other device")
    ev = emu.events[record["event"]]
    found = ev.find_position(record["position"])
    if found:
        slot, _, _ = found
        order = ev.order_copy(slot)
        pos = next(p for p in positions_of(order) if p["id"] == record["position"])
        stamp = record["datetime"]
        for n, c in enumerate(pos.get("checkins", [])):
            if c.get("list") == record["list"] and c.get("datetime") == stamp and c.get("type") == record["type"] \
                    and c.get("device") == record["device"]:
                del pos["checkins"][n]
                break
        ev.store_order(slot, order)
    emu.update_checkin(record, successful=False, error_reason="annulled", annulled=True,
                       error_explanation=data.get("error_explanation"), annulled_at=iso_utc(annulled_at))
    emu.bump(emu.annulled_by_nonce, nonce)
    return Resp(200, {"status": "ok"})


@route("POST", EV + r"/checkinlists/(?P<lid>[0-9]+)/failed_checkins/", "checkinlists/failed_checkins")
def api_failed_checkins(emu, req, org, ev, lid):
    e = emu.event_for(req, org, ev)
    lst = e.resource("checkinlists", int(lid))
    if lst is None:
        raise not_found()
    data = req.json()
    if not isinstance(data, dict):
        raise ApiError(400, {"non_field_errors": ["Invalid data."]})
    errors = {}
    reason = data.get("error_reason")
    if reason is None:
        errors["error_reason"] = ["This field is required."]
    elif reason not in CHECKIN_REASONS:
        errors["error_reason"] = ['"%s" is not a valid choice.' % reason]
    raw_barcode = data.get("raw_barcode")
    if not isinstance(raw_barcode, str) or raw_barcode == "":
        errors["raw_barcode"] = ["This field is required."]
    ctype = data.get("type") or "entry"
    if ctype not in ("entry", "exit"):
        errors["type"] = ['"%s" is not a valid choice.' % ctype]
    if errors:
        raise ApiError(400, errors)
    when = parse_body_datetime(data)
    when = when if when is not None else emu.clock.now()
    pid = data.get("position")
    found = None
    if pid is not None:
        found = e.find_position(int(pid)) if str(pid).isdigit() else None
        if found is None:
            raise field_error("position", 'Invalid pk "%s" - object does not exist.' % pid)
    else:
        for slug, slot, p in emu.ensure_index().get(raw_barcode, []):
            if slug == e.slug:
                found = e.find_position(p)
                pid = p
                break
    nonce = data.get("nonce") or None
    echo = {"error_reason": reason, "error_explanation": data.get("error_explanation"), "raw_barcode": raw_barcode,
            "raw_item": data.get("raw_item", data.get("item")), "raw_variation": data.get("raw_variation", data.get("variation")),
            "raw_subevent": data.get("raw_subevent", data.get("subevent")), "nonce": nonce,
            "datetime": e.lt.iso(when), "type": ctype, "position": pid}
    if nonce:
        for r in emu.ci_by_nonce.get(nonce, []):
            if r["source"] == "failed_checkins" and not r["successful"] and (
                    (pid is not None and r["position"] == pid) or
                    (pid is None and r["list"] == lst["id"] and r["raw_barcode"] == raw_barcode)):
                emu.bump(emu.deduplicated_by_nonce, nonce)
                return Resp(201, echo)
    device = req.principal["device"]
    emu.add_checkin(event=e.slug, list=lst["id"], position=pid, order=found[1]["code"] if found else None,
                    successful=False, error_reason=reason, error_explanation=data.get("error_explanation"),
                    raw_barcode=raw_barcode, raw_source_type="barcode", type=ctype, dt_us=when,
                    datetime=e.lt.iso(when), device=device["device_id"] if device else None,
                    gate=(device.get("gate") or {}).get("id") if device else None, nonce=nonce, forced=True,
                    source="failed_checkins", auth=req.principal["key"], raw_item=echo["raw_item"],
                    raw_variation=echo["raw_variation"], raw_subevent=echo["raw_subevent"])
    return Resp(201, echo)


@route("GET", EV + r"/checkinlists/(?P<lid>[0-9]+)/status/", "checkinlists/status")
def api_list_status(emu, req, org, ev, lid):
    e = emu.event_for(req, org, ev)
    lst = e.resource("checkinlists", int(lid))
    if lst is None:
        raise not_found()
    return Resp(200, e.list_status(lst))


def search_rows(e: EventState):
    """(slot, pid, positionid, item, subevent, canceled, status, valid_if_pending, secret, name, searchable
    text without the secret) for every position; generated ones once, changed ones on the fly."""
    if getattr(e, "base_search", None) is None:
        rows = []
        if e.gen is not None:
            for i in range(e.n_base):
                status, _, vip, _, _, plist = e.gen.shape(i)
                code, order_email, prows = e.gen.search_rows(i)
                by_pid = {r[0]: r for r in prows}
                for j, ((pid, secret, name, mail, parent), p) in enumerate(zip(prows, plist)):
                    pr = by_pid.get(parent) if parent else None
                    text = " ".join(x.lower() for x in (name, mail, pr and pr[2], pr and pr[3], order_email) if x)
                    rows.append((i, pid, j + 1, e.gen.ids[p[0]], e.gen.subevent_ids[p[3]] if p[3] >= 0 else None,
                                 p[4], status, vip, secret, name, text, code, p[5]))
        e.base_search = rows
    out = [r for r in e.base_search if r[0] not in e.overrides]
    for slot, order in e.overrides.items():
        by_pid = {p["id"]: p for p in positions_of(order)}
        for p in positions_of(order):
            parent = by_pid.get(p.get("addon_to"))
            text = " ".join(x.lower() for x in (p.get("attendee_name"), p.get("attendee_email"),
                                                parent and parent.get("attendee_name"),
                                                parent and parent.get("attendee_email"), order.get("email"))
                            if isinstance(x, str))
            name = p.get("attendee_name") if isinstance(p.get("attendee_name"), str) else None
            out.append((slot, p["id"], p.get("positionid"), p.get("item"), p.get("subevent"), bool(p.get("canceled")),
                        order.get("status"), bool(order.get("valid_if_pending")), p["secret"], name,
                        text, str(order.get("code") or ""), bool(p.get("blocked"))))
    return out


def search_positions(emu, req, lists, *, term, ignore_status, extra=None):
    term = (term or "").strip().lower()
    found = []
    for ev, lst in lists:
        covered = None if lst.get("all_products") else set(lst.get("limit_products", []))
        for row in search_rows(ev):
            slot, pid, positionid, item, subevent, canceled, status, vip, secret, name, text, code, _ = row
            if canceled:
                continue
            if not ignore_status and not (status == "p" or (status == "n" and (lst.get("include_pending") or vip))):
                continue
            if covered is not None and item not in covered:
                continue
            if lst.get("subevent") and subevent != lst["subevent"]:
                continue
            if term and not (secret.lower().startswith(term) or code.lower().startswith(term) or term in text):
                continue
            if extra is not None and not extra(ev, row):
                continue
            found.append((name is None, name or "", positionid if isinstance(positionid, int) else 0, pid, ev, lst, slot))
    found.sort(key=lambda f: f[:4])
    start, stop, nxt, prev = paginate(req, len(found))
    list_ids = {lst["id"] for _, lst in lists}
    results = []
    for _, _, _, pid, ev, lst, slot in found[start:stop]:
        order = ev.order_dict(slot)
        pos = next(p for p in positions_of(order) if p["id"] == pid)
        results.append(js(position_view(ev, order, pos, list_ids)))
    return Resp(200, raw=list_body(len(found), nxt, prev, ",".join(results)))


@route("GET", ORG + r"/checkinrpc/search/", "checkinrpc/search")
def api_rpc_search(emu, req, org):
    emu.check_organizer(org)
    raw_lists = req.getlist("list")
    lists = []
    for raw in raw_lists:
        found = None
        if raw.isdigit():
            for ev in emu.visible_events(req.principal):
                lst = ev.resource("checkinlists", int(raw))
                if lst is not None:
                    found = (ev, lst)
        if found is None:
            raise ApiError(403, {"detail": "You requested lists that do not exist or that you do not have access to: " + raw})
        lists.append(found)
    if not lists:
        raise ApiError(400, ["No check-in list passed."])
    return search_positions(emu, req, lists, term=req.get("search"), ignore_status=req.flag("ignore_status"))


@route("GET", EV + r"/checkinlists/(?P<lid>[0-9]+)/positions/", "checkinlists/positions")
def api_list_positions(emu, req, org, ev, lid):
    e = emu.event_for(req, org, ev)
    lst = e.resource("checkinlists", int(lid))
    if lst is None:
        raise not_found()
    secret, code = req.get("secret"), req.get("order")
    has_checkin = req.get("has_checkin")

    def extra(ev_, row):
        if secret and row[8] != secret:
            return False
        if code and row[11] != code:
            return False
        if has_checkin is not None:
            order = ev_.order_dict(row[0])
            pos = next(p for p in positions_of(order) if p["id"] == row[1])
            checked = any(c.get("list") == lst["id"] for c in pos.get("checkins", []))
            if checked != bool_param(has_checkin):
                return False
        return True

    return search_positions(emu, req, [(e, lst)], term=req.get("search"), ignore_status=req.flag("ignore_status"),
                            extra=extra)


# --------------------------------------------------------------------------------------------------
# Admin API for tests (/_emulator/..., "Authorization: Bearer <admin token>")

ADMIN_ROUTES = []


def admin_route(method, pattern):
    def wrap(fn):
        ADMIN_ROUTES.append((method, re.compile("^/_emulator" + pattern + "/?$"), fn))
        return fn
    return wrap


def admin_dispatch(emu, req) -> Resp:
    header = req.headers.get("Authorization") or ""
    token = header[7:].strip() if header.lower().startswith("bearer ") else (req.headers.get("X-Admin-Token") or "")
    if token != emu.config["admin_token"]:
        return Resp(401, {"detail": "admin token required (Authorization: Bearer <admin_token>)"})
    path = req.path.rstrip("/") or "/"
    allowed = False
    for method, pattern, fn in ADMIN_ROUTES:
        match = pattern.match(path)
        if match:
            if method != req.method:
                allowed = True
                continue
            with emu.lock:
                try:
                    out = fn(emu, req, **match.groupdict())
                except ApiError as exc:
                    return Resp(exc.status, exc.body)
                except Exception as exc:
                    traceback.print_exc()
                    return Resp(500, {"detail": "%s: %s" % (type(exc).__name__, exc)})
            return out if isinstance(out, Resp) else Resp(200, out)
    return Resp(405 if allowed else 404, {"detail": "no such admin endpoint: %s %s" % (req.method, req.path)})


def admin_event(emu, slug) -> EventState:
    ev = emu.events.get(slug)
    if ev is None:
        raise ApiError(404, {"detail": "no event %r" % slug})
    return ev


def admin_body(req):
    data = req.json()
    if not isinstance(data, dict):
        raise ApiError(400, {"detail": "expected a JSON object"})
    return data


@admin_route("GET", r"/info")
def admin_info(emu, req):
    events = []
    for ev in emu.events.values():
        events.append({"slug": ev.slug, "generated": ev.gen is not None,
                       "orders": ev.n_base + sum(1 for s in ev.overrides if s >= ev.n_base),
                       "generated_positions": ev.gen.n_positions if ev.gen else 0,
                       "checkinlists": [l["id"] for l in ev.res["checkinlists"]],
                       "items": [i["id"] for i in ev.res["items"]], "signing_key": ev.sign_seed is not None})
    return {"organizer": emu.organizer, "events": events, "team_token": emu.config["team_token"],
            "init_token": emu.config["init_token"], "clock": iso_utc(emu.clock.now()), "port": emu.port,
            "state_dir": emu.state_dir, "pid": os.getpid()}


@admin_route("GET", r"/counters")
def admin_counters(emu, req):
    return emu.counters()


@admin_route("POST", r"/counters/reset")
def admin_counters_reset(emu, req):
    emu.reset_counters()
    return {"status": "ok"}


@admin_route("GET", r"/checkins")
def admin_checkins(emu, req):
    out = emu.checkins
    for field in ("nonce", "event", "source", "error_reason"):
        if req.get(field) is not None:
            out = [r for r in out if str(r.get(field)) == req.get(field)]
    for field in ("list", "position"):
        if req.get(field) is not None:
            out = [r for r in out if str(r.get(field)) == req.get(field)]
    if req.get("successful") is not None:
        out = [r for r in out if bool(r.get("successful")) == bool_param(req.get("successful"))]
    return {"count": len(out), "results": out}


@admin_route("POST", r"/faults")
def admin_add_fault(emu, req):
    data = req.json()
    specs = data if isinstance(data, list) else [data]
    added = [emu.add_fault(spec) for spec in specs]
    return Resp(201, added if isinstance(data, list) else added[0])


@admin_route("GET", r"/faults")
def admin_faults(emu, req):
    return {"faults": emu.faults, "fired": emu.faults_fired}


@admin_route("DELETE", r"/faults")
def admin_clear_faults(emu, req):
    emu.faults.clear()
    return {"status": "ok"}


@admin_route("DELETE", r"/faults/(?P<fid>[0-9]+)")
def admin_delete_fault(emu, req, fid):
    emu.faults[:] = [f for f in emu.faults if f["id"] != int(fid)]
    return {"status": "ok"}


@admin_route("POST", r"/devices")
def admin_create_device(emu, req):
    data = admin_body(req)
    events = data.get("events")
    if events is not None and any(slug not in emu.events for slug in events):
        raise ApiError(400, {"detail": "unknown event in %r" % events})
    gate = data.get("gate")
    if isinstance(gate, str):
        gate = {"id": emu.take_id(), "name": gate, "identifier": gate.upper()[:8]}
    device = emu.create_device(name=data.get("name", "Kiosk"), events=events, gate=gate,
                               init_token=data.get("init_token"))
    return Resp(201, {**device, "handshake": {"handshake_version": 1, "url": "http://127.0.0.1:%d" % emu.port,
                                              "token": device["init_token"]}})


@admin_route("GET", r"/devices")
def admin_devices(emu, req):
    return {"devices": list(emu.devices.values())}


@admin_route("POST", r"/devices/(?P<did>[0-9]+)/revoke")
def admin_revoke_device(emu, req, did):
    device = emu.devices.get(int(did))
    if device is None:
        raise ApiError(404, {"detail": "no device %s" % did})
    device = dict(device)
    device["revoked"] = True
    emu.store_device(device)
    return device


@admin_route("POST", r"/teamtokens")
def admin_team_token(emu, req):
    data = admin_body(req)
    token = data.get("token") or random_token(64)
    emu.store_team_token(token, events=data.get("events"))
    return Resp(201, {"token": token, **emu.team_tokens[token]})


@admin_route("POST", r"/teamtokens/(?P<token>[^/]+)/revoke")
def admin_revoke_team_token(emu, req, token):
    if token not in emu.team_tokens:
        raise ApiError(404, {"detail": "no such team token"})
    emu.store_team_token(token, events=emu.team_tokens[token].get("events"), active=False)
    return {"status": "ok"}


@admin_route("GET", r"/clock")
def admin_clock(emu, req):
    return {"now": iso_utc(emu.clock.now()), "offset_seconds": emu.clock.offset_us / US}


@admin_route("POST", r"/clock")
def admin_advance_clock(emu, req):
    data = admin_body(req)
    seconds = float(data.get("advance_seconds", 0))
    if seconds < 0:
        raise ApiError(400, {"detail": "the clock only moves forward (X-Page-Generated must never go back)"})
    emu.clock.offset_us += int(seconds * US)
    emu.config["clock_offset_us"] = emu.clock.offset_us
    emu.save_config()
    return {"now": iso_utc(emu.clock.now()), "offset_seconds": emu.clock.offset_us / US}


@admin_route("POST", r"/warm")
def admin_warm(emu, req):
    data = admin_body(req)
    return {"orders": emu.warm(data.get("event"), data.get("query", ""))}


@admin_route("POST", r"/shutdown")
def admin_shutdown(emu, req):
    threading.Thread(target=emu.server.shutdown, daemon=True).start()
    return {"status": "shutting down"}


@admin_route("GET", r"/events/(?P<slug>[^/]+)/positions")
def admin_positions(emu, req, slug):
    """Positions to scan in tests: filter by status, item, canceled, blocked; limit/offset."""
    ev = admin_event(emu, slug)
    rows = search_rows(ev)
    status, item = req.get("status"), req.get("item")
    out = []
    offset, limit = int(req.get("offset", 0)), int(req.get("limit", 100))
    for slot, pid, positionid, it, subevent, canceled, st, vip, secret, name, _, code, blocked in rows:
        if status and st != status:
            continue
        if item and str(it) != item:
            continue
        if req.get("canceled") is not None and canceled != bool_param(req.get("canceled")):
            continue
        if req.get("blocked") is not None and bool(blocked) != bool_param(req.get("blocked")):
            continue
        if req.get("secret") and secret != req.get("secret"):
            continue
        out.append({"id": pid, "secret": secret, "order": code, "order_status": st, "valid_if_pending": vip,
                    "item": it, "subevent": subevent, "canceled": canceled, "blocked": bool(blocked),
                    "attendee_name": name})
    return {"count": len(out), "results": out[offset:offset + limit]}


@admin_route("GET", r"/events/(?P<slug>[^/]+)/orders/(?P<code>[^/]+)")
def admin_get_order(emu, req, slug, code):
    ev = admin_event(emu, slug)
    slot = ev.slot_of_code(code)
    if slot is None:
        raise ApiError(404, {"detail": "no order %s" % code})
    return ev.order_dict(slot)


def build_position(emu, ev, spec, code, positionid, pids, now_us, signed):
    items = ev.items_by_id()
    item_id = spec.get("item")
    if item_id is None:
        item_id = next((i["id"] for i in ev.res["items"] if i.get("admission")), None)
    item = items.get(item_id)
    if item is None:
        raise ApiError(400, {"detail": "no item %r in event %s" % (item_id, ev.slug)})
    variation = spec.get("variation")
    if variation is None and item.get("variations"):
        variation = item["variations"][0]["id"]
    price = float(spec.get("price", next((v.get("price") for v in item.get("variations", []) if v["id"] == variation),
                                         item.get("default_price")) or 0))
    pid = emu.take_id()
    addon_to = spec.get("addon_to")
    if isinstance(addon_to, int) and 0 <= addon_to < len(pids):
        addon_to = pids[addon_to]
    subevent = spec.get("subevent")
    secret = spec.get("secret")
    if secret is None and (spec.get("signed", signed)):
        if ev.sign_seed is None:
            raise ApiError(400, {"detail": "event %s has no pretix_sig1 signing key" % ev.slug})
        vf = spec.get("valid_from")
        vu = spec.get("valid_until")
        payload = ticket_payload("".join(_secrets.choice(SECRET_ALPHABET) for _ in range(16)), item_id,
                                 variation, subevent, parse_iso_us(vf) // US if vf else None,
                                 parse_iso_us(vu) // US if vu else None)
        secret = signed_ticket_text(ev.sign_seed, payload)
    if secret is None:
        secret = emu.new_secret()
    name = spec.get("attendee_name", "Walk-in Guest" if item.get("admission") else None)
    return {"id": pid, "order": code, "positionid": positionid, "canceled": bool(spec.get("canceled", False)),
            "item": item_id, "variation": variation, "price": money(price), "attendee_name": name,
            "attendee_name_parts": {"_scheme": "full", "full_name": name} if name else {},
            "attendee_email": spec.get("attendee_email"), "company": spec.get("company"), "street": None,
            "zipcode": None, "city": None, "country": None, "state": None, "discount": None, "voucher": None,
            "tax_rate": "19.00", "tax_value": tax_of(price), "tax_rule": 1, "secret": secret, "addon_to": addon_to,
            "subevent": subevent, "pseudonymization_id": hashed_code(CODE_ALPHABET, 10, "pseudo", pid),
            "seat": None, "checkins": spec.get("checkins", []),
            "downloads": [{"output": "pdf", "url": "%s/api/v1/organizers/%s/events/%s/orderpositions/%d/download/pdf/"
                           % (SITE_URL, emu.organizer, ev.slug, pid)}] if item.get("admission") else [],
            "answers": spec.get("answers", []), "blocked": spec.get("blocked"),
            "valid_from": spec.get("valid_from"), "valid_until": spec.get("valid_until"), "is_bundled": False}


def build_order(emu, ev, data):
    now = emu.clock.now()
    code = data.get("code") or emu.new_code(ev)
    if ev.slot_of_code(code) is not None:
        raise ApiError(400, {"detail": "order code %s exists" % code})
    status = data.get("status", "p")
    if status not in ("n", "p", "e", "c"):
        raise ApiError(400, {"detail": "status is one of n, p, e, c"})
    specs = data.get("positions") or [{}]
    positions, pids = [], []
    for n, spec in enumerate(specs):
        p = build_position(emu, ev, spec, code, n + 1, pids, now, bool(data.get("signed")))
        positions.append(p)
        pids.append(p["id"])
    total = sum(float(p["price"]) for p in positions if not p["canceled"]) if status != "c" else 0.0
    created = ev.lt.iso(now)
    email_addr = data.get("email", "guest.%s@example.com" % code.lower())
    return {"code": code, "event": ev.slug, "status": status, "testmode": False,
            "secret": "".join(_secrets.choice(SECRET_ALPHABET) for _ in range(16)), "email": email_addr,
            "phone": None, "customer": None, "locale": data.get("locale", "en"), "sales_channel": "web",
            "datetime": created, "expires": ev.lt.iso(now + 14 * 86400 * US),
            "payment_date": created[:10] if status == "p" else None, "payment_provider": "banktransfer", "fees": [],
            "total": money(total), "comment": "", "custom_followup_at": None,
            "checkin_attention": bool(data.get("checkin_attention", False)), "checkin_text": data.get("checkin_text"),
            "require_approval": bool(data.get("require_approval", False)),
            "valid_if_pending": bool(data.get("valid_if_pending", False)), "invoice_address": None,
            "positions": positions, "downloads": [],
            "payments": [] if status == "c" else [{"local_id": 1, "state": "confirmed" if status == "p" else "created",
                                                   "amount": money(total), "created": created,
                                                   "payment_date": created if status == "p" else None,
                                                   "provider": "banktransfer", "payment_url": None, "details": {}}],
            "refunds": [], "last_modified": created,
            "url": "%s/%s/%s/order/%s/" % (SITE_URL, emu.organizer, ev.slug, code),
            "cancellation_date": created if status == "c" else None}


@admin_route("POST", r"/events/(?P<slug>[^/]+)/orders")
def admin_add_orders(emu, req, slug):
    ev = admin_event(emu, slug)
    data = admin_body(req)
    if "raw" in data:
        # served exactly as given (a malformed record for the client's tests); only the code,
        # datetime and last_modified are filled in when missing, as the emulator needs them
        if not isinstance(data["raw"], dict):
            raise ApiError(400, {"detail": "raw is a JSON object"})
        order = dict(data["raw"])
        if not isinstance(order.get("code"), str) or ev.slot_of_code(order["code"]) is not None:
            order["code"] = emu.new_code(ev)
        order.setdefault("datetime", ev.lt.iso(emu.clock.now()))
        ev.store_order(ev.new_slot(), order)
        return Resp(201, {"orders": [order]})
    created = []
    for _ in range(int(data.get("count", 1))):
        order = build_order(emu, ev, data)
        ev.store_order(ev.new_slot(), order)
        created.append(order)
        data = dict(data, code=None)
    return Resp(201, {"orders": created})


def admin_order_slot(ev, code):
    slot = ev.slot_of_code(code)
    if slot is None:
        raise ApiError(404, {"detail": "no order %s" % code})
    return slot


@admin_route("PATCH", r"/events/(?P<slug>[^/]+)/orders/(?P<code>[^/]+)")
def admin_patch_order(emu, req, slug, code):
    ev = admin_event(emu, slug)
    slot = admin_order_slot(ev, code)
    data = admin_body(req)
    order = ev.order_copy(slot)
    for field, value in data.items():
        if field == "positions":
            if not isinstance(value, dict):
                raise ApiError(400, {"detail": "positions is an object {position id: fields}"})
            for pid, fields in value.items():
                pos = next((p for p in positions_of(order) if str(p["id"]) == str(pid)), None)
                if pos is None:
                    raise ApiError(400, {"detail": "no position %s in order %s" % (pid, code)})
                pos.update(fields)
        elif field in ("code", "datetime", "last_modified"):
            raise ApiError(400, {"detail": "%s cannot be changed" % field})
        else:
            order[field] = value
    if data.get("status") == "c" and not order.get("cancellation_date"):
        order["cancellation_date"] = ev.lt.iso(emu.clock.now())
    ev.store_order(slot, order)
    return order


@admin_route("POST", r"/events/(?P<slug>[^/]+)/orders/(?P<code>[^/]+)/cancel")
def admin_cancel_order(emu, req, slug, code):
    ev = admin_event(emu, slug)
    slot = admin_order_slot(ev, code)
    order = ev.order_copy(slot)
    order["status"] = "c"
    order["cancellation_date"] = ev.lt.iso(emu.clock.now())
    ev.store_order(slot, order)
    return order


def admin_position(ev, pid):
    found = ev.find_position(int(pid))
    if found is None:
        raise ApiError(404, {"detail": "no position %s in %s" % (pid, ev.slug)})
    slot, _, _ = found
    order = ev.order_copy(slot)
    return slot, order, next(p for p in positions_of(order) if p["id"] == int(pid))


@admin_route("POST", r"/events/(?P<slug>[^/]+)/positions/(?P<pid>[0-9]+)/cancel")
def admin_cancel_position(emu, req, slug, pid):
    ev = admin_event(emu, slug)
    slot, order, pos = admin_position(ev, pid)
    pos["canceled"] = True
    ev.store_order(slot, order)
    return order


@admin_route("POST", r"/events/(?P<slug>[^/]+)/positions/(?P<pid>[0-9]+)/regenerate_secret")
def admin_regenerate_secret(emu, req, slug, pid):
    ev = admin_event(emu, slug)
    slot, order, pos = admin_position(ev, pid)
    old = pos["secret"]
    pos["secret"] = admin_body(req).get("secret") or emu.new_secret()
    ev.store_order(slot, order)
    add_revoked(emu, ev, old, pos["id"])
    return {"old": old, "new": pos["secret"], "order": order["code"]}


def add_revoked(emu, ev, secret, pid=None):
    now = emu.clock.now()
    objects = [r for r in ev.res["revokedsecrets"] if r["secret"] != secret]
    entry = {"id": emu.take_id(), "secret": secret, "created": ev.lt.iso(now)}
    ev.store_resource("revokedsecrets", objects + [entry])
    if pid is not None:
        ev.revoked_position[secret] = pid
        emu.journal_write({"k": "revpos", "e": ev.slug, "secret": secret, "pid": pid})
    return entry


def set_blocked(emu, ev, secret, blocked):
    now = emu.clock.now()
    objects = [dict(b) for b in ev.res["blockedsecrets"]]
    entry = next((b for b in objects if b["secret"] == secret), None)
    if entry is None:
        entry = {"id": emu.take_id(), "secret": secret, "updated": ev.lt.iso(now), "blocked": blocked}
        objects.append(entry)
    else:
        entry.update(updated=ev.lt.iso(now), blocked=blocked)
    ev.store_resource("blockedsecrets", objects)
    for slug, slot, pid in list(emu.ensure_index().get(secret, [])):
        if slug == ev.slug:
            order = ev.order_copy(slot)
            pos = next(p for p in positions_of(order) if p["id"] == pid)
            pos["blocked"] = ["admin"] if blocked else None
            ev.store_order(slot, order)
    return entry


@admin_route("POST", r"/events/(?P<slug>[^/]+)/positions/(?P<pid>[0-9]+)/block")
def admin_block_position(emu, req, slug, pid):
    ev = admin_event(emu, slug)
    _, _, pos = admin_position(ev, pid)
    return set_blocked(emu, ev, pos["secret"], bool(admin_body(req).get("blocked", True)))


@admin_route("POST", r"/events/(?P<slug>[^/]+)/revokedsecrets")
def admin_add_revoked(emu, req, slug):
    ev = admin_event(emu, slug)
    data = admin_body(req)
    if not data.get("secret"):
        raise ApiError(400, {"detail": "secret required"})
    return Resp(201, add_revoked(emu, ev, data["secret"], data.get("position")))


@admin_route("POST", r"/events/(?P<slug>[^/]+)/blockedsecrets")
def admin_add_blocked(emu, req, slug):
    ev = admin_event(emu, slug)
    data = admin_body(req)
    if not data.get("secret"):
        raise ApiError(400, {"detail": "secret required"})
    return Resp(201, set_blocked(emu, ev, data["secret"], bool(data.get("blocked", True))))


@admin_route("POST", r"/events/(?P<slug>[^/]+)/signed_secret")
def admin_signed_secret(emu, req, slug):
    """A pretix_sig1 ticket text that no order holds (a ticket sold after the kiosk's last sync)."""
    ev = admin_event(emu, slug)
    if ev.sign_seed is None:
        raise ApiError(400, {"detail": "event %s has no pretix_sig1 signing key" % slug})
    data = admin_body(req)
    if not data.get("item"):
        raise ApiError(400, {"detail": "item required"})
    vf, vu = data.get("valid_from"), data.get("valid_until")
    seed = data.get("seed") or "".join(_secrets.choice(SECRET_ALPHABET) for _ in range(16))
    payload = ticket_payload(seed, int(data["item"]), data.get("variation"), data.get("subevent"),
                             parse_iso_us(vf) // US if vf else None, parse_iso_us(vu) // US if vu else None)
    return {"secret": signed_ticket_text(ev.sign_seed, payload), "seed": seed}


@admin_route("PATCH", r"/events/(?P<slug>[^/]+)")
def admin_patch_event(emu, req, slug):
    ev = admin_event(emu, slug)
    event = dict(ev.event)
    event.update(admin_body(req))
    event["slug"] = slug
    ev.store_event(event)
    return event


EDITABLE = r"(?P<kind>items|checkinlists|questions|subevents|badgelayouts|badgeitems)"


@admin_route("POST", r"/events/(?P<slug>[^/]+)/" + EDITABLE)
def admin_add_resource(emu, req, slug, kind):
    ev = admin_event(emu, slug)
    obj = admin_body(req)
    if "id" not in obj:
        obj["id"] = emu.take_id()
    if ev.resource(kind, obj["id"]) is not None:
        raise ApiError(400, {"detail": "%s %s exists" % (kind, obj["id"])})
    ev.store_resource(kind, ev.res[kind] + [obj])
    return Resp(201, obj)


@admin_route("PATCH", r"/events/(?P<slug>[^/]+)/" + EDITABLE + r"/(?P<rid>[0-9]+)")
def admin_patch_resource(emu, req, slug, kind, rid):
    ev = admin_event(emu, slug)
    if ev.resource(kind, int(rid)) is None:
        raise ApiError(404, {"detail": "no %s %s" % (kind, rid)})
    changes = admin_body(req)
    objects = []
    for obj in ev.res[kind]:
        if obj.get("id") == int(rid):
            obj = dict(obj)
            obj.update(changes)
            obj["id"] = int(rid)
            changed = obj
        objects.append(obj)
    ev.store_resource(kind, objects)
    return changed


@admin_route("DELETE", r"/events/(?P<slug>[^/]+)/" + EDITABLE + r"/(?P<rid>[0-9]+)")
def admin_delete_resource(emu, req, slug, kind, rid):
    ev = admin_event(emu, slug)
    if ev.resource(kind, int(rid)) is None:
        raise ApiError(404, {"detail": "no %s %s" % (kind, rid)})
    ev.store_resource(kind, [o for o in ev.res[kind] if o.get("id") != int(rid)])
    return {"status": "ok"}


# --------------------------------------------------------------------------------------------------
# HTTP


class Handler(EmulatorHandler):
    server_version = "pretix-emulator/1"
    log_name = "pretix_emulator"

    def date_time_string(self, timestamp=None):
        # the Date header follows the emulator's clock, like X-Page-Generated and Last-Modified
        return http_date(self.server.emu.clock.peek()) if timestamp is None else super().date_time_string(timestamp)

    def handle_method(self, method):
        emu = self.server.emu
        body = self.read_body_or_close()
        if body is None:
            return
        url = urlsplit(self.path)
        host = self.headers.get("Host") or "%s:%d" % (self.server.server_address[0], self.server.server_address[1])
        req = Req(method, url.path, parse_qsl(url.query, keep_blank_values=True), self.headers, body, host)
        if url.path == "/_emulator" or url.path.startswith("/_emulator/"):
            self.send(admin_dispatch(emu, req), compress=False)
            return
        route_name, fn, kwargs = emu.find_route(method, url.path)
        with emu.lock:
            emu.count_request(method, url.path, route_name)
        fault = self.meet_fault(method, url.path)
        if fault and not fault["process"]:
            self.send_fault(fault, None)
            return
        resp = emu.api(req, route_name, fn, kwargs)
        if fault:
            self.send_fault(fault, resp)
        else:
            self.send(resp)

    def accepts_gzip(self):
        for part in (self.headers.get("Accept-Encoding") or "").split(","):
            name, _, params = part.strip().partition(";")
            if name.strip().lower() in ("gzip", "*") and params.replace(" ", "") not in ("q=0", "q=0.0"):
                return True
        return False

    def send(self, resp: Resp, compress=True):
        body = resp.body
        headers = list(resp.headers)
        args = self.server.emu.args
        if compress and not args.no_gzip and len(body) > 512 and self.accepts_gzip():
            body = gzip.compress(body, compresslevel=args.gzip_level, mtime=0)
            headers.append(("Content-Encoding", "gzip"))
        self.send_response(resp.status)
        if resp.status != 304:
            self.send_header("Content-Type", resp.ctype)
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept, Accept-Encoding")
        for key, value in headers:
            self.send_header(key, value)
        self.write_head_and_body(body if resp.status != 304 else b"")

    def send_fault(self, fault, resp):
        kind = fault["kind"]
        if kind == "status":
            status = fault["status"]
            if fault["body"] is not None:
                raw = fault["body"] if isinstance(fault["body"], str) else js(fault["body"])
                ctype = fault["content_type"] or ("text/plain" if isinstance(fault["body"], str) else "application/json")
            elif status >= 500:
                raw, ctype = "<h1>Server Error (%d)</h1>" % status, "text/html"
            else:
                raw, ctype = js({"detail": "Emulated error %d." % status}), "application/json"
            self.send(Resp(status, raw=raw, ctype=fault["content_type"] or ctype), compress=False)
        elif kind == "rate_limit":
            wait = fault["retry_after"]
            self.send(Resp(429, {"detail": "Request was throttled. Expected available in %s seconds." % wait},
                           headers=[("Retry-After", str(wait))]), compress=False)
        elif kind == "unauthorized":
            self.send(Resp(401, {"detail": "Invalid token."}, headers=[("WWW-Authenticate", "Token")]), compress=False)
        elif kind == "content_type":
            ctype = fault["content_type"] or "text/html; charset=utf-8"
            if resp is not None:
                self.send(Resp(resp.status, raw=resp.body, ctype=ctype, headers=resp.headers), compress=False)
            else:
                portal = b"<!DOCTYPE html><html><head><title>Venue Wi-Fi</title></head><body><h1>Welcome to the venue Wi-Fi</h1><p>Please accept the terms of use to continue.</p></body></html>"
                self.send(Resp(200, raw=portal, ctype=ctype), compress=False)
        elif kind == "truncate":
            body = resp.body
            keep = fault["keep_bytes"] if fault["keep_bytes"] is not None else len(body) // 2
            self.send(Resp(resp.status, raw=body[:max(0, min(int(keep), max(0, len(body) - 1)))], ctype=resp.ctype,
                           headers=resp.headers), compress=False)
        elif kind == "reset":
            body = resp.body
            cut = fault["after_bytes"] if fault["after_bytes"] is not None else len(body) // 2
            cut = max(0, min(int(cut), max(0, len(body) - 1)))
            self.send_response(resp.status)
            self.send_header("Content-Type", resp.ctype)
            self.send_header("Content-Length", str(len(body)))
            for key, value in resp.headers:
                self.send_header(key, value)
            self.reset_connection(self.take_head() + body[:cut])

# --------------------------------------------------------------------------------------------------
# Start-up: data, state directory, ready file


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def results_of(value):
    if isinstance(value, dict) and "results" in value:
        return value["results"]
    return value if isinstance(value, list) else []


def load_event_dir(directory):
    event = read_json(os.path.join(directory, "event.json"))
    catalog = {"event": event}
    for kind in RESOURCE_KINDS:
        path = os.path.join(directory, kind + ".json")
        catalog[kind] = results_of(read_json(path)) if os.path.exists(path) else []
    if not os.path.exists(os.path.join(directory, "badgeitems.json")):
        catalog["badgeitems"] = [dict(a) for layout in catalog["badgelayouts"] for a in layout.get("item_assignments", [])
                                 if "item" in a]
    orders_path = os.path.join(directory, "orders.json")
    orders = results_of(read_json(orders_path)) if os.path.exists(orders_path) else []
    orders.sort(key=lambda o: parse_iso_us(o["datetime"]))
    return event["slug"], catalog, orders


def data_args(args):
    return {"organizer": args.organizer, "events": args.events, "positions": args.positions, "seed": args.seed,
            "subevents": args.subevents, "event_date": args.event_date, "timezone": args.timezone,
            "load": [os.path.abspath(d) for d in args.load]}


def build(args, state_dir):
    config_path = os.path.join(state_dir, "config.json") if state_dir else None
    config = None
    if config_path and os.path.exists(config_path):
        config = read_json(config_path)
        if config["data"] != data_args(args):
            raise SystemExit("pretix_emulator: %s was made with other data arguments: %s" % (state_dir, config["data"]))
        for name in ("admin_token", "team_token", "init_token"):
            given = getattr(args, name)
            if given and given != config[name]:
                raise SystemExit("pretix_emulator: --%s differs from the one in %s" % (name.replace("_", "-"), state_dir))
    first_start = config is None
    if first_start:
        config = {"version": 1, "data": data_args(args), "organizer": args.organizer,
                  "admin_token": args.admin_token or random_token(32), "team_token": args.team_token or random_token(64),
                  "init_token": args.init_token or random_token(16)}
    emu = Emulator(args, config, state_dir)
    n_events = args.events
    stride = GenEvent.CODE_SPACE // (n_events + 1)
    floor = 0
    for k in range(1, n_events + 1):
        gen = GenEvent(organizer=args.organizer, slug="event%d" % k, k=k, seed=args.seed, positions=args.positions,
                       subevents=args.subevents, event_date=args.event_date, tz=args.timezone, code_stride=stride)
        emu.events[gen.slug] = EventState(emu, gen.slug, gen=gen, catalog=gen.catalog(), lmd_us=gen.t0)
        floor = max(floor, gen.max_last_modified())
    for directory in args.load:
        slug, catalog, orders = load_event_dir(directory)
        if slug in emu.events:
            raise SystemExit("pretix_emulator: event %s exists twice" % slug)
        newest = max([parse_iso_us(o["last_modified"]) for o in orders] + [0])
        for kind in ("revokedsecrets",):
            newest = max([newest] + [parse_iso_us(o["created"]) for o in catalog[kind]])
        for kind in ("blockedsecrets",):
            newest = max([newest] + [parse_iso_us(o["updated"]) for o in catalog[kind]])
        emu.events[slug] = EventState(emu, slug, catalog=catalog, orders=orders, lmd_us=newest)
        floor = max(floor, newest)
    if first_start:
        now = time.time_ns() // 1000
        if args.clock:
            config["clock_offset_us"] = parse_iso_us(args.clock) - now
        else:
            config["clock_offset_us"] = max(0, floor + US - now)
    emu.clock = Clock(config["clock_offset_us"], floor)
    if state_dir:
        os.makedirs(state_dir, exist_ok=True)
        journal_path = os.path.join(state_dir, "journal.jsonl")
        emu.replay(journal_path)
        emu.journal = open(journal_path, "a", encoding="utf-8")
    if first_start:
        emu.store_team_token(config["team_token"])
        emu.create_device(name="Kiosk 1", init_token=config["init_token"])
        emu.save_config()
    return emu


def save_config(self):
    if self.state_dir:
        path = os.path.join(self.state_dir, "config.json")
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(self.config, f, indent=1)
        os.replace(path + ".tmp", path)


def warm(self, slug=None, query=""):
    """Render the generated orders ahead of time for the variant this query string asks for
    (include_canceled_positions, exclude), so that a benchmark measures the client and not the
    emulator's JSON rendering. Returns the number of orders rendered."""
    params = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        params.setdefault(key, []).append(value)
    include_canceled = (params.get("include_canceled_positions", ["false"])[-1]).lower() == "true"
    exclude = tuple(params.get("exclude", []))
    done = 0
    for ev in self.events.values():
        if slug and ev.slug != slug:
            continue
        with self.lock:
            for lst in ev.res["checkinlists"]:
                ev.list_status(lst)
        for start in range(0, ev.n_base, 500):
            with self.lock:
                render_orders(ev, range(start, min(ev.n_base, start + 500)), include_canceled, exclude)
            done += min(ev.n_base, start + 500) - start
    return done


Emulator.save_config = save_config
Emulator.warm = warm


def parse_args(argv):
    p = argparse.ArgumentParser(description="pretix REST API emulator for tests (see the module docstring)")
    add_listen_arguments(p)
    p.add_argument("--organizer", default="demo")
    p.add_argument("--events", type=int, default=None, help="generated events (default 1, or 0 with --load)")
    p.add_argument("--positions", type=int, default=1000, help="order positions per generated event")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--subevents", type=int, default=0, help="make generated events series with N dates")
    p.add_argument("--event-date", default="2027-03-16", help="first day of the generated events")
    p.add_argument("--timezone", default="Europe/Berlin")
    p.add_argument("--load", action="append", default=[], metavar="DIR",
                   help="serve an event directory in pretix API JSON (like assets/demo); repeatable")
    p.add_argument("--state-dir", help="keep state here (journal); a restart continues from it")
    p.add_argument("--admin-token")
    p.add_argument("--team-token")
    p.add_argument("--init-token", help="the initialization token of the pre-made device")
    p.add_argument("--clock", help="ISO time the emulator's clock shows at its first start")
    p.add_argument("--no-gzip", action="store_true")
    p.add_argument("--gzip-level", type=int, default=1)
    p.add_argument("--upload-limit", type=int, default=10 * 1024 * 1024)
    p.add_argument("--warm", action="append", default=[], metavar="QUERY",
                   help="pre-render every orders page for this query string before getting ready; repeatable")
    add_lifetime_arguments(p)
    args = p.parse_args(argv)
    if args.events is None:
        args.events = 0 if args.load else 1
    if args.events < 0 or args.positions < 0 or args.subevents < 0 or args.subevents > 300:
        p.error("--events, --positions must be >= 0 and --subevents 0..300")
    try:
        ZoneInfo(args.timezone)
        dt.date.fromisoformat(args.event_date)
    except Exception as exc:
        p.error(str(exc))
    return args


def main(argv=None):
    parent = os.getppid()
    args = parse_args(sys.argv[1:] if argv is None else argv)
    state_dir = os.path.abspath(args.state_dir) if args.state_dir else None
    emu = build(args, state_dir)
    server = make_server(args, Handler, emu)
    emu.port = server.server_address[1]
    for query in args.warm:
        emu.warm(None, query)
    info = {"port": emu.port, "url": "http://%s:%d" % (args.host, emu.port), "admin_token": emu.config["admin_token"],
            "team_token": emu.config["team_token"], "init_token": emu.config["init_token"],
            "organizer": emu.organizer, "events": list(emu.events), "pid": os.getpid()}
    try:
        serve(server, args, parent, info, "pretix_emulator")
    finally:
        if emu.journal is not None:
            emu.journal.close()


if __name__ == "__main__":
    main()
