"""painsim_analysis — the driver of `painsim sensitivity | trial | calibrate FILE --out DIR`.

Started by painsim (host/analysis.c) in a child of MPI rank 0; the members it designs
run as sweeps on every rank through the bridge (pa_bridge.py). The file formats are in
scenarios/README.md, "Analyses". Exit status: 0 done; 2 bad input (nothing written);
3 the output folder cannot be made; 9 members failed (what finished is kept, the same
command again reruns only the rest); 130 stopped by a signal (the same again resumes).
"""
import argparse
import os
import signal
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import pa_spec  # noqa: E402
from pa_spec import Failed  # noqa: E402
from pa_bridge import Bridge, BridgeError  # noqa: E402

COMMANDS = {
    "sensitivity": "global sensitivity analysis (Morris screening, Sobol indices; SALib)",
    "trial": "in-silico preclinical trial (arms x sexes x animals, effect sizes, power)",
    "calibrate": "approximate Bayesian computation (ABC-SMC, pyabc) of scenario keys against target data",
}


def out_folder(path, name):
    out = path if path else os.path.join("runs", name)
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as e:
        raise Failed(3, "%s: cannot make the output folder: %s" % (out, e.strerror))
    if not os.access(out, os.W_OK | os.X_OK):
        raise Failed(3, "%s: the output folder is not writable" % out)
    return out


def main(argv):
    if len(argv) < 2 or argv[1] not in COMMANDS:
        print("painsim: error: the analysis driver takes one of %s" % ", ".join(COMMANDS), file=sys.stderr)
        return 2
    cmd = argv[1]
    ap = argparse.ArgumentParser(prog="painsim " + cmd, description=COMMANDS[cmd] +
                                 ". File format: scenarios/README.md, \"Analyses\".")
    ap.add_argument("file", help="the analysis file (JSON)")
    ap.add_argument("--out", help="output folder (default runs/<name>); the same command again resumes")
    ap.add_argument("--device", help="OpenCL device index (read by painsim)")
    ap.add_argument("--verbose", action="store_true", help="the members' own progress lines too")
    ap.add_argument("--quiet", action="store_true", help="no progress messages")
    ap.add_argument("--checkpoint-every", help="members write checkpoints every H simulated hours")
    args = ap.parse_args(argv[2:])
    # SIGINT reaches painsim too: it finishes the member's step, checkpoints and answers the
    # running request with 130, which ends this driver cleanly
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def log(msg):
        if not args.quiet:
            print("painsim %s: %s" % (cmd, msg), file=sys.stderr, flush=True)

    if cmd == "sensitivity":
        import pa_sensitivity as mod
    elif cmd == "trial":
        import pa_trial as mod
    else:
        import pa_calibrate as mod
    bridge = Bridge()
    try:
        doc = pa_spec.Doc(args.file)
        with tempfile.TemporaryDirectory(prefix="painsim-check-") as work:
            plan = mod.prepare(doc, bridge, work)          # every check; nothing written
        plan.verbose = not args.quiet
        out = out_folder(args.out, plan.name)
        mod.execute(plan, bridge, out, log)
    except pa_spec.InputError as e:
        print("painsim: error: %s" % e, file=sys.stderr)
        return 2
    except Failed as e:
        print("painsim: error: %s" % e, file=sys.stderr)
        return e.code
    except BridgeError as e:
        if e.code == 130:
            print("painsim: %s stopped; run the same command again to continue" % cmd, file=sys.stderr)
        else:
            print("painsim: error: %s" % e.message, file=sys.stderr)
        return e.code
    except Exception:           # a bug here, not the user's input: say so, with the trace
        import traceback
        traceback.print_exc()
        print("painsim: error: internal error in the analysis driver (the trace above)", file=sys.stderr)
        return 8
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
