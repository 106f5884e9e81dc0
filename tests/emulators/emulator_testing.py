"""What the emulators' self-tests (test_<name>_emulator.py) share: one emulator as a subprocess.

Each self-test starts its emulator the way the C++ fixtures (tests/support/emulator_process.h) do:
`python3 <name>_emulator.py --port 0 --ready-file F [--exit-with-parent] ARGS...`, waits for the
ready file, talks to it over loopback HTTP, and stops it with SIGTERM (SIGKILL when asked, or when
it does not stop). RunningEmulator does that once for all of them, with a plain HTTP request and
an admin API call; each self-test subclasses it for its API's own calls.

Not a test itself: CTest registers only test_<name>_emulator.py (tests/CMakeLists.txt). The
self-tests import it as a sibling (Python puts the running script's directory on sys.path).
Standard library only.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


class RunningEmulator:
    """One emulator subprocess (tests/emulators/<script>). start() returns once the ready file is
    there (self.info holds it); stop() ends the process and removes its temporary directory. As a
    context manager: `with RunningEmulator("x_emulator.py", ["--flag"]) as emu: ...`."""

    def __init__(self, script, args=(), *, port=0, exit_with_parent=True):
        self.script = os.path.join(HERE, script)
        self.args = list(args)
        self.port = port
        self.exit_with_parent = exit_with_parent
        self.proc = None
        self.info = None
        self.tmp = None

    def command(self, ready):
        cmd = [sys.executable, self.script, "--port", str(self.port), "--ready-file", ready]
        if self.exit_with_parent:
            cmd.append("--exit-with-parent")   # a crashed test leaves no emulator behind
        return cmd + self.args

    def start(self, timeout=20.0):
        self.tmp = tempfile.mkdtemp(prefix=os.path.basename(self.script).replace(".py", "-test-"))
        ready = os.path.join(self.tmp, "ready.json")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(self.command(ready), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while not os.path.exists(ready):
            if self.proc.poll() is not None:
                raise RuntimeError("emulator exited: " + self.proc.stderr.read().decode())
            if time.monotonic() > deadline:
                self.proc.kill()
                raise RuntimeError("emulator not ready in %.0f s" % timeout)
            time.sleep(0.02)
        self.ready_after = time.monotonic() - self.started
        with open(ready) as f:
            self.info = json.load(f)
        return self

    def stop(self, kill=False):
        if self.proc and self.proc.poll() is None:
            if kill:
                self.proc.kill()
            else:
                self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.stderr:
            self.proc.stderr.close()
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def request(self, method, path, body=None, headers=None, raw=None, timeout=10):
        """One HTTP request (body: JSON-able, or raw bytes) -> (status, headers dict, body bytes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.info["port"], timeout=timeout)
        hdrs = {"Content-Type": "application/json"}
        hdrs.update(headers or {})
        payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        try:
            conn.request(method, path, body=payload, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, dict(resp.getheaders()), data
        finally:
            conn.close()

    def admin(self, method, path, body=None):
        """An admin API call (/_emulator<path>) -> its JSON; AssertionError on an error status."""
        status, _, data = self.request(method, "/_emulator" + path, body,
                                       headers={"Authorization": "Bearer " + self.info["admin_token"]})
        if status >= 400:
            raise AssertionError("admin %s %s: %d %s" % (method, path, status, data))
        return json.loads(data) if data else None
