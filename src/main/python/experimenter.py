"""The Python side of spark-experimenter's command experiments; standard library only.

A script needs three lines:

    import experimenter
    p = experimenter.params(kernel="rbf", seed=0)   # the row's keyfields
    experimenter.result(accuracy=0.93)               # its result fields

Run by the tool (``experiment { command = ["python3", "train.py"] }``), ``params()`` reads the
row from the JSON file named by EXPERIMENTER_PARAMS_FILE, ``result()`` writes the result file
named by EXPERIMENTER_RESULT_FILE, and ``log()`` and ``flush()`` append JSON lines to the
events file named by EXPERIMENTER_EVENTS_FILE, which the tool writes to the table while the
script runs. Run by hand (``python3 train.py --kernel linear``), ``params()`` takes the defaults
given to it, overridden by ``--name=value`` or ``--name value`` options, and results and log
rows are printed instead.

Inside a Python function run by the tool's long-lived worker (``experiment { python { function
= "train.py:run" } }``) the same calls work: the worker sets ``_inputs`` and ``_sink`` for each
row, and events go to the tool at once instead of to files. ``ResultProcessor`` is what such a
function gets as PyExperimenter's ``result_processor``.

The tool puts this module on PYTHONPATH; to run a script by hand, copy this one file next to
it or add its folder (src/main/python in the project) to PYTHONPATH.
"""

import json
import os
import sys

__all__ = [
    "params", "custom", "result", "log", "flush", "pause", "stopping",
    "scratch_dir", "artifact_dir", "row_id", "attempt", "managed", "ResultProcessor", "Refused",
]

_inputs = None
_results = {}
# Set by the tool's long-lived worker (experimenter_worker.py): takes an event and returns once
# the tool has applied it, raising Refused when the tool refused it.
_sink = None


class Refused(Exception):
    """The tool refused a result or log row (an undeclared field, a value of the wrong type)."""


def managed():
    """True when the tool runs this script (EXPERIMENTER_PARAMS_FILE is set) or function."""
    return _sink is not None or bool(os.environ.get("EXPERIMENTER_PARAMS_FILE"))


def _load():
    global _inputs
    if _inputs is None:
        path = os.environ.get("EXPERIMENTER_PARAMS_FILE")
        if path:
            with open(path, encoding="utf-8") as f:
                _inputs = json.load(f)
        else:
            _inputs = {}
    return _inputs


def params(**defaults):
    """The row's keyfield values as a dict.

    Run by the tool: the row's values (with their declared types), over the defaults. Run by
    hand: the defaults, overridden by --name=value / --name value options of the command line,
    converted to the default's type (else to int, float or bool when they read as one).
    """
    out = dict(defaults)
    if managed():
        out.update(_load()["parameters"])
        return out
    out.update(_command_line(sys.argv[1:], defaults))
    return out


def custom():
    """The config's custom section as a dict ({} when run by hand)."""
    return dict(_load().get("custom", {}))


def result(**fields):
    """Sets result fields; the result file holds all set so far. Call it (with no fields when
    there are none) before exiting: a script that exits 0 without a result file ends as error."""
    _results.update(fields)
    if _sink is not None:
        _sink({"put": fields})  # written with the row's end, as a script's result file is
        return
    path = os.environ.get("EXPERIMENTER_RESULT_FILE")
    if not path:
        print("experimenter: result " + _dumps(fields))
        return
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(_dumps(_results))
    os.replace(tmp, path)  # the tool never reads half a file


def log(table, **row):
    """Appends a row to the declared log table (logtables { <table> { ... } } in the config)."""
    _event({"log": table, "row": row}, "log " + table + " " + _dumps(row))


def flush():
    """Makes the results set so far visible in the table while the script still runs
    (intermediate results); the tool writes them at its next look at the events file."""
    _event({"results": dict(_results)}, "flush " + _dumps(_results))


def pause():
    """Ends the row as paused once the script exits (after saving a checkpoint in scratch_dir(),
    say); `experimenter unpause` makes it runnable again. No result file is needed then."""
    _event({"status": "paused"}, "pause")


def stopping():
    """True once the run is stopping (Ctrl-C or SIGTERM on the driver): save and exit soon.
    When the shutdown grace period runs out the process gets SIGTERM, then SIGKILL."""
    path = _inputs.get("stop_file") if _sink is not None and _inputs else os.environ.get("EXPERIMENTER_STOP_FILE")
    return bool(path) and os.path.exists(path)


def scratch_dir():
    """A folder of this row's that survives retries: the place for checkpoints. By hand:
    ./experimenter-scratch."""
    if _sink is not None and _inputs:
        path = _inputs["scratch_dir"]
    else:
        path = os.environ.get("EXPERIMENTER_SCRATCH_DIR") or os.path.abspath("experimenter-scratch")
    os.makedirs(path, exist_ok=True)
    return path


def artifact_dir():
    """This attempt's artifact folder: the files left in it are listed in <table>__artifacts when
    the attempt ends (config artifacts.root). Raises RuntimeError when the config sets no root."""
    if _sink is not None and _inputs:
        path = _inputs.get("artifact_dir")
    else:
        path = os.environ.get("EXPERIMENTER_ARTIFACT_DIR")
    if not path:
        raise RuntimeError("artifact_dir(): the config sets no artifacts.root")
    os.makedirs(path, exist_ok=True)
    return path


def row_id():
    """The row's id in the experiment table (None when run by hand)."""
    return _load().get("id")


def attempt():
    """Which attempt at this row this is: 1 for the first (1 when run by hand)."""
    return _load().get("attempt", 1)


class ResultProcessor:
    """What a PyExperimenter experiment function gets as ``result_processor``: its two calls,
    written from PyExperimenter's documented API. Both write to the table at once (results
    are visible while the function still runs), and refuse undeclared fields and tables."""

    def process_results(self, results):
        """Sets result fields and writes them to the row now."""
        _results.update(results)
        _event({"results": dict(results)}, "results " + _dumps(results))

    def process_logs(self, logs):
        """Appends one row to each named log table: {"epochs": {"epoch": 3, "loss": 0.2}}."""
        for table, row in logs.items():
            log(table, **row)
        flush()


def _event(obj, shown):
    if _sink is not None:
        _sink(obj)
        return
    path = os.environ.get("EXPERIMENTER_EVENTS_FILE")
    line = _dumps(obj)
    if not path:
        print("experimenter: " + shown)
        return
    with open(path, "a", encoding="utf-8") as f:
        f.write(line + "\n")


def _plain(value):
    # numpy scalars (numpy.int64 is no int) and the like
    if hasattr(value, "item"):
        return value.item()
    raise TypeError("experimenter: cannot write %r (%s) as JSON" % (value, type(value).__name__))


def _dumps(obj):
    return json.dumps(obj, ensure_ascii=False, default=_plain)


def _command_line(argv, defaults):
    out = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if not arg.startswith("--") or arg == "--":
            continue
        name, eq, text = arg[2:].partition("=")
        if not eq:
            if i < len(argv) and not argv[i].startswith("--"):
                text = argv[i]
                i += 1
            else:
                text = "true"
        name = name.replace("-", "_")
        out[name] = _convert(text, defaults.get(name))
    return out


def _convert(text, default):
    if isinstance(default, bool):
        return text.lower() in ("1", "true", "yes")
    if isinstance(default, int):
        return int(text)
    if isinstance(default, float):
        return float(text)
    if isinstance(default, str):
        return text
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text
