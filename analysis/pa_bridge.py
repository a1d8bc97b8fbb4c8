"""pa_bridge — the requests this driver makes of the painsim process that started it.

painsim (host/analysis.c) runs this driver in a child of MPI rank 0 with a request pipe
on one descriptor and a reply pipe on another ($PAINSIM_BRIDGE="W,R"). The driver
never simulates: it writes sweep files and asks painsim to check them, to name a
scenario's summary columns, to resolve a scenario, or to run a sweep on every rank.
"""
import os


class BridgeError(Exception):
    """A request painsim answered with a failure: code (exit status) and message."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


class Bridge:
    def __init__(self):
        spec = os.environ.get("PAINSIM_BRIDGE", "")
        try:
            w, r = (int(x) for x in spec.split(","))
        except ValueError:
            raise SystemExit("painsim: error: this driver is run by `painsim sensitivity|trial|calibrate`, "
                             "not directly ($PAINSIM_BRIDGE is not set)")
        self.w = os.fdopen(w, "w", buffering=1, encoding="utf-8")
        self.r = os.fdopen(r, "r", encoding="utf-8")
        self.ranks = int(os.environ.get("PAINSIM_RANKS", "1"))

    def _ask(self, *fields):
        for f in fields:
            if "\t" in f or "\n" in f:
                raise BridgeError(8, "a request field holds a tab or a line break: %r" % f)
        self.w.write("\t".join(fields) + "\n")
        self.w.flush()
        line = self.r.readline()
        if not line:
            raise BridgeError(8, "painsim closed the bridge")
        parts = line.rstrip("\n").split("\t", 2)
        if parts[0] == "ok":
            return parts[1] if len(parts) > 1 else ""
        code = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 8
        raise BridgeError(code, parts[2] if len(parts) > 2 else "failed")

    def check(self, sweep_path):
        """Parses the sweep and loads every member's scenario: the member count."""
        return int(self._ask("check", sweep_path))

    def columns(self, scenario, sets):
        """The summary.csv columns of scenario with the overrides ["k=v", ...]."""
        return self._ask("columns", scenario, *sets).split(",")

    def resolve(self, scenario, out_file, sets):
        """The resolved scenario (all defaults written out) into out_file."""
        self._ask("resolve", scenario, out_file, *sets)

    def sweep(self, sweep_path, out):
        """Runs the sweep into out on every rank; BridgeError 9 when members failed,
        130 when stopped by a signal."""
        self._ask("sweep", sweep_path, out)
