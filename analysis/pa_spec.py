"""pa_spec — strict reading of an analysis file (sensitivity, trial, calibrate).

Every key is known, typed and range-checked; a mistake raises InputError whose text has
the loader's form  "FILE: json.path: expected ..., got ..."  (painsim exits 2 with it and
writes nothing). Key tables are plain dicts so a new key is one line.
"""
import difflib
import json
import math
import os

REQUIRED = object()


class Failed(Exception):
    """A failure after the checks: exit status code, message."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class InputError(Exception):
    """Bad input: the message names the file and the JSON path. Exit status 2."""


def _got(v):
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, (int, float)):
        return "%g" % v
    if isinstance(v, list):
        return "an array"
    return "an object"


def fmt_value(v):
    """A number as a user wrote it: 800, not 800.0."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return "%d" % v
    return _got(v) if not isinstance(v, float) else repr(v)


class Doc:
    """One analysis file: its path, folder and parsed JSON, and the failing helpers."""

    def __init__(self, path):
        self.path = path
        self.dir = os.path.dirname(os.path.abspath(path))
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise InputError("%s: cannot read: %s" % (path, e.strerror))

        def no_dups(pairs):
            d = {}
            for k, v in pairs:
                if k in d:
                    raise InputError("%s: key \"%s\" appears twice in one object" % (path, k))
                d[k] = v
            return d

        try:
            self.root = json.loads(text, object_pairs_hook=no_dups)
        except json.JSONDecodeError as e:
            raise InputError("%s:%d:%d: JSON syntax error: %s" % (path, e.lineno, e.colno, e.msg))
        if not isinstance(self.root, dict):
            self.fail("", "an object", self.root)

    def fail(self, jpath, expected, got=None, raw=None):
        where = jpath if jpath else "(top level)"
        if raw is not None:
            raise InputError("%s: %s: %s" % (self.path, where, raw))
        raise InputError("%s: %s: expected %s, got %s" % (self.path, where, expected, _got(got)))

    def rel(self, p):
        """A path in the file, relative to the file's folder (or absolute)."""
        return p if os.path.isabs(p) else os.path.normpath(os.path.join(self.dir, p))


def join(jpath, key):
    if isinstance(key, int):
        return "%s[%d]" % (jpath, key)
    return "%s.%s" % (jpath, key) if jpath else key


def keys(doc, obj, jpath, table):
    """Checks obj is an object with only the keys of table {name: default or REQUIRED};
    returns {name: value or default}."""
    if not isinstance(obj, dict):
        doc.fail(jpath, "an object", obj)
    for k in obj:
        if k not in table:
            near = difflib.get_close_matches(k, list(table), n=1)
            hint = " (did you mean \"%s\"?)" % near[0] if near else ""
            doc.fail(join(jpath, k), None,
                     raw="unknown key \"%s\"%s; the keys here are %s" % (k, hint, ", ".join(table)))
    out = {}
    for k, d in table.items():
        if k in obj:
            out[k] = obj[k]
        elif d is REQUIRED:
            doc.fail(join(jpath, k), None, raw="missing required key \"%s\"" % k)
        else:
            out[k] = d
    return out


def number(doc, v, jpath, lo=-math.inf, hi=math.inf, integer=False, lo_open=False):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        doc.fail(jpath, "an integer" if integer else "a number", v)
    want = "an integer" if integer else "a number"
    rng = "%s %s" % (">" if lo_open else ">=", "%g" % lo) if lo > -math.inf else ""
    if hi < math.inf:
        rng = (rng + " and " if rng else "") + "<= %g" % hi
    if integer and v != int(v):
        doc.fail(jpath, want + (" " + rng if rng else ""), v)
    if v < lo or v > hi or (lo_open and v == lo):
        doc.fail(jpath, want + " " + rng, v)
    return int(v) if integer else float(v)


def string(doc, v, jpath, choices=None, max_len=511):
    if not isinstance(v, str) or not v or len(v.encode()) > max_len:
        doc.fail(jpath, "a non-empty string of at most %d bytes" % max_len, v)
    if choices is not None and v not in choices:
        doc.fail(jpath, "one of " + ", ".join('"%s"' % c for c in choices), v)
    return v


def name(doc, v, jpath):
    s = string(doc, v, jpath, max_len=63)
    if not all(c.isalnum() or c in "_-." for c in s) or s[0] in ".-":
        doc.fail(jpath, "a name of letters, digits, '_', '-' and '.' (not starting with '.' or '-')", v)
    return s


def array(doc, v, jpath, lo=0, hi=10 ** 6):
    if not isinstance(v, list):
        doc.fail(jpath, "an array", v)
    if not lo <= len(v) <= hi:
        doc.fail(jpath, "an array of %d to %d elements" % (lo, hi), None,
                 raw="expected an array of %d to %d elements, got %d" % (lo, hi, len(v)))
    return v


def scenario_key(doc, v, jpath):
    s = string(doc, v, jpath)
    if "=" in s or "," in s or "\t" in s:
        doc.fail(jpath, "a scenario key path as --set takes it, such as \"drugs[0].doses[0].mg_per_kg\"", v)
    return s


def overrides(doc, v, jpath):
    """A {key path: number, string or boolean} object of fixed overrides."""
    if not isinstance(v, dict):
        doc.fail(jpath, "an object of fixed overrides {\"time.duration_h\": 48, ...}", v)
    for k, x in v.items():
        scenario_key(doc, k, jpath)
        if k == "seed":
            doc.fail(join(jpath, k), None, raw="the seed is given by the analysis's own seed keys, not here")
        if not isinstance(x, (int, float, str, bool)) or (isinstance(x, float) and not math.isfinite(x)):
            doc.fail(join(jpath, k), "a number, a string or a boolean", x)
    return dict(v)
