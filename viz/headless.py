#!/usr/bin/env python3
"""Run one command on a private, headless X display (for pvbatch and pvpython).

Usage:
    python3 viz/headless.py COMMAND [ARG ...]
    e.g. python3 viz/headless.py pvbatch viz/paraview_render.py runs/nerve_injury

ParaView 5.11 from Debian renders through GLX, so it needs an X server even
offscreen. Under `xvfb-run -a` pvbatch now and then aborted with "bad X server
connection. DISPLAY=:99 ... Aborting" (seen in a clean-clone CI run): pvbatch
opens the display to probe OpenGL, closes it, and opens it again; an X server
whose last client leaves resets itself, and a connection that arrives during the
reset is refused (measured: 13 of 300 open-close-open cycles failed on a plain
Xvfb, 0 of 300 with -noreset). `xvfb-run -a` also always starts its display
search at :99 and kills its Xvfb without waiting for it. This launcher instead:

  * picks a random display number in 2000-31999 that has no lock file or socket,
  * starts Xvfb there with -noreset (no reset between clients), its own
    authorization cookie (so a client can never talk to someone else's server
    by mistake) and `-displayfd`, which Xvfb writes only once it accepts
    connections,
  * opens the display once itself (XOpenDisplay through libX11) before it starts
    the command, and tries another display number if any of this fails (5 tries),
  * runs the command with DISPLAY and XAUTHORITY set and returns its exit status
    (128 + N when it died of signal N, as a shell reports it),
  * runs the command once more, and says so, only when it died of a signal *and*
    its X server could no longer be opened: a failure of the X server, not of
    the command,
  * stops Xvfb and waits for it to exit, then removes its temporary folder.

Exit status: the command's; 3 when no X server could be started (Xvfb missing
or failing), with Xvfb's own messages.
"""

import ctypes
import ctypes.util
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

PROG = "headless"
TRIES = 5
READY_TIMEOUT_S = 30.0
SCREEN = "1920x1200x24"


def say(msg):
    print(f"{PROG}: {msg}", file=sys.stderr, flush=True)


class XServer:
    """One private Xvfb with its own cookie; start() returns False on failure."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.proc = None
        self.display = None
        self.auth = os.path.join(workdir, "Xauthority")
        self.log = os.path.join(workdir, "Xvfb.log")
        self.error = ""

    def start(self, rng):
        for _ in range(50):
            n = rng.randrange(2000, 32000)
            if not (os.path.exists(f"/tmp/.X{n}-lock") or os.path.exists(f"/tmp/.X11-unix/X{n}")):
                break
        else:
            self.error = "no free display number found in 50 draws"
            return False
        cookie = os.urandom(16).hex()
        r = subprocess.run(["xauth", "-q", "-f", self.auth, "add", f":{n}", ".", cookie],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            self.error = f"xauth add :{n} failed: {r.stdout.strip()}"
            return False
        rfd, wfd = os.pipe()
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(
                ["Xvfb", f":{n}", "-displayfd", str(wfd), "-noreset", "-nolisten", "tcp",
                 "-auth", self.auth, "-screen", "0", SCREEN],
                pass_fds=(wfd,), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True)
        os.close(wfd)
        got = b""
        deadline = time.monotonic() + READY_TIMEOUT_S
        try:
            while not got.endswith(b"\n"):
                left = deadline - time.monotonic()
                if left <= 0:
                    self.error = f"Xvfb :{n} not ready after {READY_TIMEOUT_S:.0f} s"
                    return False
                ready, _, _ = select.select([rfd], [], [], left)
                if ready:
                    chunk = os.read(rfd, 64)
                    if not chunk:  # Xvfb exited before it was ready
                        self.proc.wait()
                        self.error = f"Xvfb :{n} exited (status {self.proc.returncode}): {self.log_tail()}"
                        return False
                    got += chunk
        finally:
            os.close(rfd)
        self.display = f":{got.decode().strip()}"
        if not self.can_open():
            self.error = f"Xvfb {self.display} is running but the display does not open"
            return False
        return True

    def env(self):
        env = dict(os.environ)
        env["DISPLAY"] = self.display
        env["XAUTHORITY"] = self.auth
        return env

    def can_open(self):
        """XOpenDisplay + XCloseDisplay through libX11, with our cookie."""
        if self.proc is None or self.proc.poll() is not None:
            return False
        name = ctypes.util.find_library("X11") or "libX11.so.6"
        try:
            x11 = ctypes.CDLL(name)
        except OSError:
            return True  # cannot check without libX11; the command will tell
        x11.XOpenDisplay.restype = ctypes.c_void_p
        x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
        x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
        saved = os.environ.get("XAUTHORITY")
        os.environ["XAUTHORITY"] = self.auth
        try:
            d = x11.XOpenDisplay(self.display.encode())
            if not d:
                return False
            x11.XCloseDisplay(d)
            return True
        finally:
            if saved is None:
                del os.environ["XAUTHORITY"]
            else:
                os.environ["XAUTHORITY"] = saved

    def log_tail(self, n=5):
        try:
            with open(self.log, errors="replace") as fh:
                lines = [l.rstrip() for l in fh if l.strip()]
            return " | ".join(lines[-n:]) or "(no messages)"
        except OSError:
            return "(no log)"

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def start_server(rng, parent):
    errors = []
    for _ in range(TRIES):
        d = tempfile.mkdtemp(prefix="x.", dir=parent)
        xs = XServer(d)
        if xs.start(rng):
            return xs, errors
        errors.append(xs.error)
        xs.stop()
        shutil.rmtree(d, ignore_errors=True)
    return None, errors


def run_command(cmd, env):
    """Run cmd; forward SIGINT/SIGTERM/SIGHUP to it; return a shell-style status."""
    try:
        child = subprocess.Popen(cmd, env=env)
    except OSError as e:
        say(f"cannot start {cmd[0]}: {e.strerror}")
        return 127 if isinstance(e, FileNotFoundError) else 126
    def forward(signum, _frame):
        if child.poll() is None:
            child.send_signal(signum)
    old = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        rc = child.wait()
    finally:
        for s, h in old.items():
            signal.signal(s, h)
    return 128 - rc if rc < 0 else rc


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) >= 2 else 2
    cmd = argv[1:]
    if shutil.which("Xvfb") is None or shutil.which("xauth") is None:
        say("Xvfb and xauth are needed to render without a display "
            "(Debian packages xvfb and xauth; `make deps`)")
        return 3
    rng = random.Random()  # seeded from os.urandom
    parent = tempfile.mkdtemp(prefix="painsim-headless.")
    try:
        for attempt in (1, 2):
            xs, errors = start_server(rng, parent)
            if xs is None:
                say(f"could not start a private X server in {TRIES} tries: " + "; ".join(errors))
                return 3
            try:
                rc = run_command(cmd, xs.env())
                lost = rc > 128 and not xs.can_open()
                if lost:
                    say(f"{cmd[0]} died of signal {rc - 128} and its X server {xs.display} no longer "
                        f"opens (Xvfb: {xs.log_tail()})"
                        + ("; running it once more on a new display" if attempt == 1 else ""))
            finally:
                xs.stop()
            if not lost:
                return rc
        return rc
    finally:
        shutil.rmtree(parent, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
