"""The machinery every loopback API emulator in tests/emulators shares.

The emulators (pretix_emulator.py, constantcontact_emulator.py, oveit_emulator.py,
brightstar_emulator.py) each play one ticketing API for the tests; what differs between them is
the API. What does not differ lives here, once, so that a fix to the plumbing reaches every
emulator and their fault injection stays the same:

- [WIRE] compact JSON (js), ApiError (a refusal carrying its HTTP status and body) and Resp (an
  answer not yet sent);
- [FAULTS] EmulatorCore: the state object's lock, counter bumping, the request log and the fault
  table (add_fault validates a spec, take_fault finds and consumes the fault a request meets);
- [ADMIN] AdminApi: the /_emulator/... route table, its admin-token check and dispatch, with the
  endpoints all the small emulators have (counters, request log, faults, shutdown);
  bearer_matches, the APIs' own Bearer check;
- [HTTP] EmulatorHandler (HTTP/1.1 plumbing: chunked bodies, one write per answer, TCP_NODELAY,
  quiet disconnects, a TCP reset, a "slow" fault's wait), ApiHandler (the request flow of an API
  with faults, and the wire answers of the fault kinds: HTTP 500, 429 with Retry-After, slow, reset
  mid-answer, truncated JSON, wrong content type, empty body, 401), Server;
- [START-UP] the shared command-line flags, the ready file and the serving loop (SIGTERM / SIGINT,
  --exit-with-parent); run_emulator, the small emulators' main().

Constant Contact, Oveit and BrightStar use all of it and keep only their API's words. pretix takes
ApiError, EmulatorCore, EmulatorHandler, Server and the start-up; its answers (gzip, 304s, the
Date header on its clock), its admin API (routes called with the request) and its fault answers
differ from the small emulators' and stay in pretix_emulator.py.

The emulators are run as scripts (`python3 tests/emulators/X_emulator.py ...`, by absolute path
from the C++ fixtures in tests/support/*_emulator.h), so Python puts this directory first on
sys.path and `import emulator_common` finds this file from any working directory. Standard
library only, like the emulators. Not a test: CTest registers only test_<name>_emulator.py.
"""

from __future__ import annotations

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
from urllib.parse import parse_qs, urlsplit

# --------------------------------------------------------------------------------------------------
# [WIRE] JSON, refusals, answers


def js(obj) -> str:
    """Compact JSON text, UTF-8 characters kept (as the real APIs answer)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


class ApiError(Exception):
    """A refusal: the HTTP status and the JSON-able body the emulator answers with."""

    def __init__(self, status, body):
        super().__init__(str(body))
        self.status, self.body = status, body


class Resp:
    """An answer: status, body bytes (from a JSON-able obj or raw text/bytes), content type,
    extra headers. A 204 without a body has no content type."""

    __slots__ = ("status", "body", "ctype", "headers")

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


# A venue's captive portal: what a "content_type" fault answers in place of the API.
PORTAL = (b"<!DOCTYPE html><html><head><title>Venue Wi-Fi</title></head><body><h1>Welcome to the venue Wi-Fi</h1>"
          b"<p>Please accept the terms of use to continue.</p></body></html>")

# --------------------------------------------------------------------------------------------------
# [FAULTS] The state object's lock, counters and fault table


class EmulatorCore:
    """The part of an emulator's state object every emulator has. A subclass calls
    super().__init__(), sets FAULT_KINDS (every kind a spec may name, aliases included -> the
    kind its handler knows) and keeps self.faults_fired (reset with its other counters)."""

    FAULT_KINDS: dict = {}
    MATCHES = ("prefix", "exact", "regex", "contains")

    def __init__(self):
        self.lock = threading.RLock()
        self.faults = []
        self.fault_seq = 0

    @staticmethod
    def bump(counter, key, n=1):
        counter[key] = counter.get(key, 0) + n

    def log_request(self, method, path, headers, body):
        """Count an API request in requests_by_path and append it to the request log (requests):
        method, path, authorization, content_type, body as text. Returns the record, for the
        answer's status."""
        self.bump(self.requests_by_path, "%s %s" % (method, path))
        record = {"method": method, "path": path, "authorization": headers.get("Authorization"),
                  "content_type": headers.get("Content-Type"), "body": body.decode("utf-8", "replace")}
        self.requests.append(record)
        return record

    def add_fault(self, spec):
        """A fault from an admin spec: {"path", "match", "method", "count", "skip", "kind",
        "process", and the kind's own fields}; ApiError 400 for a bad spec."""
        if not isinstance(spec, dict):
            raise ApiError(400, {"detail": "a fault is a JSON object"})
        kind = self.FAULT_KINDS.get(str(spec.get("kind", "status")))
        if kind is None:
            raise ApiError(400, {"detail": "unknown fault kind %r; one of %s" % (spec.get("kind"), sorted(self.FAULT_KINDS))})
        path = spec.get("path", "/")
        match = spec.get("match", "prefix")
        if match not in self.MATCHES:
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
        """The fault this request meets (a copy), counted as fired and consumed; None if none."""
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


# --------------------------------------------------------------------------------------------------
# [ADMIN] /_emulator/... for tests


def bearer_matches(headers, token) -> bool:
    """"Authorization: Bearer <token>" names this token (the scheme in any case)."""
    scheme, _, given = (headers.get("Authorization") or "").partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(given.strip().encode(), token.encode())


def admin_token_ok(headers, admin_token) -> bool:
    """"Authorization: Bearer <admin_token>" or "X-Admin-Token: <admin_token>"."""
    header = headers.get("Authorization") or ""
    token = header[7:].strip() if header.lower().startswith("bearer ") else (headers.get("X-Admin-Token") or "")
    return secrets.compare_digest(token.encode(), admin_token.encode())


def admin_body(body):
    """An admin request's JSON object or array ({} without a body); ApiError 400 otherwise."""
    if not body:
        return {}
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, {"detail": "the body is not JSON"})
    if not isinstance(data, (dict, list)):
        raise ApiError(400, {"detail": "expected a JSON object"})
    return data


class AdminApi:
    """An emulator's admin API: routes registered with @admin.route(METHOD, r"/pattern") (under
    /_emulator, a trailing slash tolerated), called as fn(emu, data[, query], **groups) under the
    emulator's lock, with data the JSON body and query (with_query=True) the parsed query string.
    A route answers a Resp, or a JSON-able value (200); ApiError answers its status and body.
    Never faulted, never counted. Every emulator's state has counters(), reset_counters(),
    requests (the API request log), faults, faults_fired and server, so the endpoints on them
    are here:
      GET /counters   POST /counters/reset   GET /requests
      POST /faults (a spec or a list) -> 201   GET /faults   DELETE /faults   DELETE /faults/{id}
      POST /shutdown"""

    def __init__(self, *, with_query=False):
        self.routes = []
        self.with_query = with_query
        self.route("GET", r"/counters")(lambda emu, data, *query: emu.counters())
        self.route("POST", r"/counters/reset")(_reset_counters)
        self.route("GET", r"/requests")(lambda emu, data, *query: {"count": len(emu.requests), "results": emu.requests})
        self.route("POST", r"/faults")(_add_faults)
        self.route("GET", r"/faults")(lambda emu, data, *query: {"faults": emu.faults, "fired": emu.faults_fired})
        self.route("DELETE", r"/faults")(_clear_faults)
        self.route("DELETE", r"/faults/(?P<fid>[0-9]+)")(_delete_fault)
        self.route("POST", r"/shutdown")(_shutdown)

    def route(self, method, pattern):
        def wrap(fn):
            self.routes.append((method, re.compile("^/_emulator" + pattern + "/?$"), fn))
            return fn
        return wrap

    def dispatch(self, emu, method, path, query, headers, body) -> Resp:
        if not admin_token_ok(headers, emu.admin_token):
            return Resp(401, {"detail": "admin token required (Authorization: Bearer <admin_token>)"})
        path = path.rstrip("/") or "/"
        allowed = False
        for route_method, pattern, fn in self.routes:
            match = pattern.match(path)
            if not match:
                continue
            if route_method != method:
                allowed = True
                continue
            with emu.lock:
                try:
                    data = admin_body(body)
                    extra = (parse_qs(query),) if self.with_query else ()
                    out = fn(emu, data, *extra, **match.groupdict())
                except ApiError as exc:
                    return Resp(exc.status, exc.body)
                except Exception as exc:
                    traceback.print_exc()
                    return Resp(500, {"detail": "%s: %s" % (type(exc).__name__, exc)})
            return out if isinstance(out, Resp) else Resp(200, out)
        return Resp(405 if allowed else 404, {"detail": "no such admin endpoint: %s %s" % (method, path)})


def _reset_counters(emu, data, *query):
    emu.reset_counters()
    return {"status": "ok"}


def _add_faults(emu, data, *query):
    specs = data if isinstance(data, list) else [data]
    added = [emu.add_fault(spec) for spec in specs]
    return Resp(201, added if isinstance(data, list) else added[0])


def _clear_faults(emu, data, *query):
    emu.faults.clear()
    return {"status": "ok"}


def _delete_fault(emu, data, *query, fid):
    before = len(emu.faults)
    emu.faults[:] = [f for f in emu.faults if f["id"] != int(fid)]
    if len(emu.faults) == before:
        raise ApiError(404, {"detail": "no fault %s" % fid})
    return {"status": "ok"}


def _shutdown(emu, data, *query):
    threading.Thread(target=emu.server.shutdown, daemon=True).start()
    return {"status": "ok"}


# --------------------------------------------------------------------------------------------------
# [HTTP] Request handling


class EmulatorHandler(http.server.BaseHTTPRequestHandler):
    """HTTP/1.1 plumbing: every method goes to handle_method(METHOD); read_body reads
    Content-Length and chunked bodies; write_head_and_body sends the head and body in one write.
    A subclass sets server_version and log_name (the prefix of --verbose lines)."""

    protocol_version = "HTTP/1.1"
    server_version = "emulator/1"
    log_name = "emulator"

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):
        if self.server.emu.args.verbose:
            sys.stderr.write("%s: %s\n" % (self.log_name, fmt % args))

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

    def handle_method(self, method):
        raise NotImplementedError

    def read_body_or_close(self):
        """The request body, or None (and the connection closed) when it cannot be read."""
        try:
            return self.read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return None

    def meet_fault(self, method, path):
        """The fault this API request meets, if any; a "slow" one sleeps here and then lets the
        request through (None)."""
        fault = self.server.emu.take_fault(method, path)
        if fault and fault["kind"] == "slow":
            time.sleep(fault["seconds"])
            return None
        return fault

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

    def take_head(self) -> bytes:
        """The head built with send_response / send_header, ended, out of the buffer."""
        self._headers_buffer.append(b"\r\n")
        head = b"".join(self._headers_buffer)
        self._headers_buffer = []
        return head

    def write_head_and_body(self, body):
        # one write per answer: headers and body in separate writes meet Nagle's algorithm and the
        # client's delayed ACK, which costs 40 ms per response on loopback
        self.wfile.write(self.take_head() + body)

    def reset_connection(self, data):
        """Send these bytes, then a TCP reset: the answer never arrives whole."""
        try:
            self.wfile.write(data)
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


class ApiHandler(EmulatorHandler):
    """The request flow of the small emulators: /_emulator/... goes to the class's AdminApi
    (`admin`); any other request may meet a fault, then goes to emu.api(method, path, query,
    headers, body) -> Resp. A fault with "process" false answers in place of the API (the request
    is counted in requests_by_path, nothing else happens); with "process" the API applies it
    first and the fault spoils its answer.

    The wire answers of the fault kinds (fault_<kind>); a subclass says its API's words:
    error_body(status) (a 4xx "status" fault without a body), rate_limit_body(wait),
    unauthorized_answer(), and may set empty_body_cut (what "truncate" sends for an answer
    without a body; None: the empty answer as it is), unprocessed_answer() (what "truncate" and
    "reset" spoil when the request was not processed) and reset_in_body (True: the head goes out
    whole and the cut falls in the body; False: the cut falls anywhere in head and body)."""

    admin: AdminApi = None
    empty_body_cut = None
    reset_in_body = False

    def handle_method(self, method):
        emu = self.server.emu
        body = self.read_body_or_close()
        if body is None:
            return
        parts = urlsplit(self.path)
        path = parts.path
        if path == "/_emulator" or path.startswith("/_emulator/"):
            self.send(self.admin.dispatch(emu, method, path, parts.query, self.headers, body))
            return
        fault = self.meet_fault(method, path)
        if fault and not fault["process"]:
            with emu.lock:      # a faulted request is still a request the server received
                emu.bump(emu.requests_by_path, "%s %s" % (method, path))
            self.send_fault(fault, None)
            return
        resp = emu.api(method, path, parts.query, self.headers, body)
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

    # --- faults ------------------------------------------------------------------------------------

    def error_body(self, status):
        raise NotImplementedError

    def rate_limit_body(self, wait):
        raise NotImplementedError

    def unauthorized_answer(self) -> Resp:
        raise NotImplementedError

    def unprocessed_answer(self):
        return None

    def send_fault(self, fault, resp):
        if resp is None and fault["kind"] in ("truncate", "reset"):
            resp = self.unprocessed_answer()
        getattr(self, "fault_" + fault["kind"])(fault, resp)

    def fault_status(self, fault, resp):
        status = fault["status"]
        if fault["body"] is not None:
            raw = fault["body"] if isinstance(fault["body"], str) else js(fault["body"])
            ctype = "text/plain" if isinstance(fault["body"], str) else "application/json"
        elif status >= 500:
            raw, ctype = "<html><body><h1>%d Server Error</h1></body></html>" % status, "text/html"
        else:
            raw, ctype = js(self.error_body(status)), "application/json"
        self.send(Resp(status, raw=raw, ctype=fault["content_type"] or ctype))

    def fault_rate_limit(self, fault, resp):
        wait = fault["retry_after"]
        self.send(Resp(429, self.rate_limit_body(wait), headers=[("Retry-After", str(wait))]))

    def fault_unauthorized(self, fault, resp):
        self.send(self.unauthorized_answer())

    def fault_empty(self, fault, resp):
        self.send(Resp(200, raw=b"", ctype=fault["content_type"] or "application/json"))

    def fault_content_type(self, fault, resp):
        ctype = fault["content_type"] or "text/html; charset=utf-8"
        if resp is not None:
            self.send(Resp(resp.status, raw=resp.body, ctype=ctype, headers=resp.headers))
        else:
            self.send(Resp(200, raw=PORTAL, ctype=ctype))

    def fault_truncate(self, fault, resp):
        if resp.body or self.empty_body_cut is None:
            keep = fault["keep_bytes"] if fault["keep_bytes"] is not None else len(resp.body) // 2
            raw = resp.body[:max(0, min(int(keep), len(resp.body) - 1))]
            self.send(Resp(resp.status, raw=raw, ctype=resp.ctype, headers=resp.headers))
        else:
            self.send(Resp(200, raw=self.empty_body_cut, ctype="application/json"))

    def fault_reset(self, fault, resp):
        # The head as it would go out (without the answer's extra headers), cut short, then a TCP
        # reset.
        self.send_response(resp.status)
        if resp.ctype:
            self.send_header("Content-Type", resp.ctype)
        if resp.status != 204:
            self.send_header("Content-Length", str(len(resp.body)))
        head = self.take_head()
        body = resp.body if resp.status != 204 else b""
        if self.reset_in_body:
            cut = fault["after_bytes"] if fault["after_bytes"] is not None else len(body) // 2
            self.reset_connection(head + body[:max(0, min(int(cut), len(body) - 1))])
        else:
            data = head + body
            cut = fault["after_bytes"] if fault["after_bytes"] is not None else len(data) // 2
            self.reset_connection(data[:max(0, min(int(cut), len(data) - 1))])


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, BrokenPipeError, OSError)):
            super().handle_error(request, client_address)


# --------------------------------------------------------------------------------------------------
# [START-UP] Flags, ready file, serving


def add_listen_arguments(parser):
    """--host, --port, --ready-file: the first flags of every emulator."""
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (written to --ready-file)")
    parser.add_argument("--ready-file", help="written as JSON once the emulator accepts connections")


def add_lifetime_arguments(parser):
    """--exit-with-parent, --parent-pid, --verbose: the last flags of every emulator."""
    parser.add_argument("--exit-with-parent", action="store_true",
                        help="stop when the process that started the emulator is gone (a crashed test)")
    parser.add_argument("--parent-pid", type=int, help="with --exit-with-parent: watch this process instead")
    parser.add_argument("--verbose", action="store_true")


def make_server(args, handler, emu) -> Server:
    """The server on --host:--port (0: a free port), linked both ways with the emulator's state."""
    server = Server((args.host, args.port), handler)
    server.emu = emu
    emu.server = server
    return server


def write_ready_file(path, info):
    """The ready file, atomically: a reader sees the whole JSON object or no file."""
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(info, f)
    os.replace(tmp, path)


def parent_alive(args, parent) -> bool:
    """--parent-pid still exists, or (without it) this process's parent is still `parent`."""
    if args.parent_pid:
        try:
            os.kill(args.parent_pid, 0)
            return True
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
    return os.getppid() == parent


def run_emulator(argv, parse_args, build, handler, name, api_path, ready_fields=None):
    """main() of an emulator served by an ApiHandler: the flags (argv, default sys.argv[1:]), the
    state (build(args), with token, admin_token and events), the server, then serve(). The ready
    file holds port, url (base + api_path: the API base the client is given), base
    (http://HOST:PORT), token, admin_token, events (their ids), the emulator's own
    ready_fields(emu), pid."""
    parent = os.getppid()
    args = parse_args(sys.argv[1:] if argv is None else argv)
    emu = build(args)
    server = make_server(args, handler, emu)
    port = server.server_address[1]
    base = "http://%s:%d" % (args.host, port)
    info = {"port": port, "url": base + api_path, "base": base, "token": emu.token, "admin_token": emu.admin_token,
            "events": list(emu.events)}
    info.update(ready_fields(emu) if ready_fields else {})
    info["pid"] = os.getpid()
    serve(server, args, parent, info, name)


def serve(server, args, parent, info, name):
    """Serve until SIGTERM / SIGINT, POST /_emulator/shutdown, or (--exit-with-parent) the
    parent's end; the ready file (info) is written once the server accepts connections. `parent`
    is os.getppid() as main() started, `name` the prefix of --verbose lines."""

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.exit_with_parent:
        def watch():
            while parent_alive(args, parent):
                time.sleep(0.5)
            server.shutdown()

        threading.Thread(target=watch, daemon=True).start()
    if args.ready_file:
        write_ready_file(args.ready_file, info)
    if args.verbose:
        sys.stderr.write("%s: listening on %s\n" % (name, info["url"]))
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
