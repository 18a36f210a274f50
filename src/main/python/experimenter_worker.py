"""The long-lived Python worker of spark-experimenter's function experiments; standard library only.

Started by the tool as ``python3 experimenter_worker.py <target>:<function> <shim folder>``, it
imports the function once and then calls it for one row after another, as PyExperimenter does:
``function(parameters, result_processor, custom_config)``.

Protocol: one JSON object per line (UTF-8) on the pipes the worker was started with, which it
moves to file descriptors of its own at start, so that nothing the function prints (fd 1 and 2
go to the row's stdout.txt and stderr.txt while it runs) can mix with it.

    worker -> tool  {"ready": pid} or {"import_error": traceback}, once, after the import
    tool -> worker  {"row": {id, attempt, table, parameters, custom, scratch_dir, artifact_dir, stop_file,
                     stdout, stderr}}
    worker -> tool  an event while the function runs, answered {"ok": true} or {"error": text}:
                     {"put": {...}} (results), {"results": {...}} (results, written at once),
                     {"log": table, "row": {...}}, {"status": "paused"}
    worker -> tool  {"done": {"paused": bool}} or {"failed": traceback}: the row has ended

    tool -> worker  {"goodbye": true}: the worker exits (the tool then ends what is left of its tree)

An input that ends without a goodbye means the tool's JVM died (SIGKILL: no hook of it ran): the
worker then kills its tree as the tool would have, its session and every process that left it but
carries the tree's token (EXPERIMENTER_PROCESS_TOKEN), and itself. So does a worker whose parent
changed (the JVM died while a row ran, seen within a second).
"""
import importlib
import importlib.util
import json
import os
import shutil
import signal
import sys
import threading
import time
import uuid
import traceback

_out_lock = threading.Lock()


def main():
    global _seen_pid
    # Its own session: the tool ends the worker with everything it started, whatever its depth.
    try:
        os.setsid()
    except OSError:
        pass  # already a session leader (started by setsid)
    proto_in = os.fdopen(os.dup(0), "rb")
    proto_out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)  # between rows both go to the worker's log, which is its stderr
    idle_fds = (os.dup(1), os.dup(2))
    target = sys.argv[1]
    sys.path.append(sys.argv[2])  # the py_experimenter shim, after site-packages: the real one wins

    _watch_parent()

    def send(obj):
        data = (json.dumps(obj, ensure_ascii=False, default=_plain) + "\n").encode("utf-8")
        with _out_lock:
            proto_out.write(data)
            proto_out.flush()

    try:
        function = _load(target)
    except BaseException:  # noqa: B902 - a SystemExit at import is an import failure too
        send({"import_error": traceback.format_exc()})
        return 0
    _seen_pid = _last_pid()  # what the import started is no row's: it ends with the worker
    import experimenter

    answers = _Answers(proto_in)

    def call(obj):
        # one event at a time, answered before the function goes on: an error raises where it was made
        with answers.lock:
            send(obj)
            reply = answers.next()
        if reply is None:
            _end_tree()  # the tool is gone without a goodbye: it died
        if reply.get("goodbye"):
            # the tool is ending this worker while the function runs (a timeout, a stop): no answer
            # comes; the function waits here to be ended as the tool does it, SIGTERM and then the grace
            while True:
                time.sleep(3600)
        if "error" in reply:
            raise experimenter.Refused(reply["error"])

    experimenter._sink = call
    send({"ready": os.getpid(), "python": sys.version.split()[0], "packages": _versions()})
    while True:
        msg = answers.next()
        if msg is None:
            _end_tree()  # the tool's input ended without a goodbye: it died (SIGKILL), nothing else ends the tree
        if msg.get("goodbye"):
            return 0
        row = msg["row"]
        send(_run(function, row, idle_fds, experimenter))


def _versions():
    """The versions of the packages named in provenance.packages, None for one that cannot be found."""
    names = [n for n in os.environ.pop("EXPERIMENTER_PROVENANCE_PACKAGES", "").split(",") if n]
    out = {}
    for name in names:
        version = None
        try:
            module = sys.modules.get(name) or importlib.import_module(name)
            version = getattr(module, "__version__", None)
        except Exception:  # noqa: B902 - a package that cannot be imported has no version here
            pass
        if version is None:
            try:
                import importlib.metadata

                version = importlib.metadata.version(name)
            except Exception:  # noqa: B902
                pass
        out[name] = None if version is None else str(version)
    return out


def _run(function, row, idle_fds, experimenter):
    global _seen_pid
    attempt_dir = os.path.dirname(row["stdout"])
    if os.path.isdir(attempt_dir):
        shutil.rmtree(attempt_dir, ignore_errors=True)  # an attempt number that comes again after a reset
    os.makedirs(attempt_dir, exist_ok=True)
    out = os.open(row["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    err = os.open(row["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    _flush()
    os.dup2(out, 1)
    os.dup2(err, 2)
    os.close(out)
    os.close(err)
    experimenter._inputs = row
    experimenter._results = {}
    token = uuid.uuid4().hex
    os.environ[_ROW_TOKEN] = token  # inherited by what the function starts, whatever it does after
    try:
        status = function(dict(row["parameters"]), experimenter.ResultProcessor(), dict(row["custom"]))
        # PyExperimenter's ExperimentStatus.PAUSED (its value is "paused"), from it or the shim
        paused = getattr(status, "value", status) == "paused"
        return {"done": {"paused": paused}}
    except BaseException:  # noqa: B902 - sys.exit in a function ends its row, not the worker
        kind, value, tb = sys.exc_info()
        text = "".join(traceback.format_exception(kind, value, tb.tb_next))  # from the function's frame on
        sys.stderr.write(text)
        return {"failed": text}
    finally:
        _flush()
        os.dup2(idle_fds[0], 1)
        os.dup2(idle_fds[1], 2)
        experimenter._inputs = None
        os.environ.pop(_ROW_TOKEN, None)
        _seen_pid = _end_processes(token, _seen_pid)


_ROW_TOKEN = "EXPERIMENTER_ROW_TOKEN"

# The last process id that the end of the previous row looked at (before the first row: the last
# given out when the import ended). A row's end looks from there on, not from the row's start: a
# process started between two rows (by a thread the function left behind) is the next row's.
_seen_pid = None

# How long what a row left running gets between SIGTERM and SIGKILL.
_ROW_GRACE = 2.0


def _last_pid():
    """The process id the kernel gave out last in this pid namespace; None where it cannot be read."""
    try:
        with open("/proc/sys/kernel/ns_last_pid", "rb") as f:
            return int(f.read())
    except (OSError, ValueError):
        return None


def _end_processes(token, since):
    """Ends what the row started and left running: the worker's session but itself, and any process
    carrying the row's token (one that called setsid); SIGTERM, then SIGKILL after a grace. Returns
    the last process id it looked at, the `since` of the next row.

    Only a process started since the previous row's end (`since`, the last id it looked at) can be
    either (the previous row's were ended), so when the kernel's last process id is still `since`,
    no process was started on the machine meanwhile and nothing is read; otherwise only the ids given
    out since are read: a row that starts nothing costs one small read, not two per process of the
    machine."""
    me = os.getpid()
    # its session only when it leads it (as it does, started by setsid or made by main): never the tool's
    session = me if os.getsid(0) == me else None
    mark = ("%s=%s" % (_ROW_TOKEN, token)).encode() + b"\0"
    seen = [_last_pid()]
    if since is not None and seen[0] == since:
        return since

    def started_since(pid, last):
        if since is None or last is None:
            return True
        # ids count up to pid_max and start again from the bottom
        return since < pid <= last if since <= last else (pid > since or pid <= last)

    def members():
        found = []
        last = _last_pid()
        seen[0] = last
        for name in os.listdir("/proc") if os.path.isdir("/proc") else []:
            if not name.isdigit() or int(name) == me or not started_since(int(name), last):
                continue
            pid = int(name)
            try:
                with open("/proc/%d/stat" % pid, "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
                if fields[0] == b"Z":
                    continue
                if int(fields[3]) == session:  # state ppid pgrp session ...
                    found.append(pid)
                    continue
                with open("/proc/%d/environ" % pid, "rb") as f:
                    if mark in f.read():
                        found.append(pid)
            except (OSError, IndexError, ValueError):
                pass  # gone meanwhile, or not ours to read
        return found

    left = members()
    if not left:
        return seen[0]
    for pid in left:
        _signal(pid, signal.SIGTERM)
    deadline = time.time() + _ROW_GRACE
    while left and time.time() < deadline:
        time.sleep(0.05)
        _reap()
        left = members()
    for pid in left:
        _signal(pid, signal.SIGKILL)
    _reap()
    return seen[0]


def _signal(pid, sig):
    try:
        os.kill(pid, sig)
    except OSError:
        pass


def _reap():
    # children of the worker itself (a Popen never waited for) would stay zombies
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def _load(target):
    where, _, name = target.rpartition(":")
    if where.endswith(".py") or os.sep in where:
        path = os.path.abspath(where)
        if not os.path.isfile(path):
            raise FileNotFoundError("no such file %s (from %s, relative to %s)" % (path, where, os.getcwd()))
        # as when the file runs as a script: its folder first on the path, so its own modules import;
        # under its own name, not __main__: an `if __name__ == "__main__":` block does not run
        sys.path.insert(0, os.path.dirname(path))
        module_name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    else:
        module = importlib.import_module(where)
    function = getattr(module, name, None)
    if function is None:
        raise AttributeError("%s has no function %s" % (where, name))
    if not callable(function):
        raise TypeError("%s.%s is no function but a %s" % (where, name, type(function).__name__))
    return function


class _Answers:
    """The lines the tool sends: a row, or the answer to an event."""

    def __init__(self, stream):
        self.stream = stream
        self.lock = threading.Lock()

    def next(self):
        line = self.stream.readline()
        if not line.endswith(b"\n"):
            return None  # the end, or a line cut short: the tool died while it wrote
        return json.loads(line.decode("utf-8"))


def _watch_parent():
    # A tool killed by SIGKILL cannot end its workers: each ends its own tree when it sees so.
    parent = os.getppid()

    def watch():
        while True:
            time.sleep(1)
            if os.getppid() != parent:
                _end_tree()

    threading.Thread(target=watch, name="experimenter-parent-watch", daemon=True).start()


def _end_tree():
    """SIGKILL to the worker's tree as the tool would end it: every process of its session (when it
    leads it), every descendant and every session a member leads, and every process that carries the
    tree's token in its environment; then to the worker itself. Members are stopped (SIGSTOP) as they
    are found, so that none forks or loses its parent meanwhile, and killed once all are found."""
    me = os.getpid()
    # its session only when it leads it (as it does, started by setsid or made by main): never the tool's
    session = me if os.getsid(0) == me else None
    token = os.environ.get("EXPERIMENTER_PROCESS_TOKEN")
    mark = ("EXPERIMENTER_PROCESS_TOKEN=" + token).encode() if token else None
    known = {me}
    for _ in range(50):  # until a look finds none new
        found = False
        for name in os.listdir("/proc"):
            if not name.isdigit() or int(name) in known:
                continue
            pid = int(name)
            try:
                with open("/proc/%d/stat" % pid, "rb") as f:
                    stat = f.read()
                fields = stat[stat.rindex(b")") + 2:].split()
                if fields[0] == b"Z":
                    continue
                parent, sid = int(fields[1]), int(fields[3])
                member = (session is not None and sid == session) or parent in known or sid in known
                if not member and mark is not None:
                    try:
                        with open("/proc/%d/environ" % pid, "rb") as f:
                            member = mark in f.read().split(b"\0")
                    except OSError:
                        pass  # another user's, or one that made itself undumpable: its parent tells
                if member:
                    known.add(pid)
                    found = True
                    os.kill(pid, signal.SIGSTOP)
            except (OSError, ValueError):
                pass  # gone meanwhile
        if not found:
            break
    for pid in known - {me}:
        try:
            os.kill(pid, 9)
        except OSError:
            pass
    os.kill(me, 9)


def _flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass


def _plain(value):
    if hasattr(value, "item"):
        return value.item()  # numpy scalars
    raise TypeError("cannot send %r (%s) as JSON" % (value, type(value).__name__))


if __name__ == "__main__":
    sys.exit(main())
