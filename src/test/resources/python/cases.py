# The Python function of the tests, written as for PyExperimenter: one behaviour per value of the
# keyfield "what". Each call appends "<what> <pid>" to the file named by CASES_PIDS, so the test
# sees which worker process ran which row, in order.
import os
import signal
import subprocess
import sys
import time

from py_experimenter.experiment_status import ExperimentStatus
from py_experimenter.result_processor import ResultProcessor

import experimenter


def wait_for(path, seconds):
    end = time.time() + seconds
    while time.time() < end and not os.path.exists(path):
        time.sleep(0.05)


def run(parameters: dict, result_processor: ResultProcessor, custom_config: dict):
    what = parameters["what"]
    with open(os.environ["CASES_PIDS"], "a") as f:
        f.write("%s %d\n" % (what, os.getpid()))
    scratch = experimenter.scratch_dir()

    if what.startswith("ok"):
        # output of every kind goes to the row's files and cannot disturb the worker's protocol
        print("hello from", what)
        os.write(1, b"raw bytes on fd 1\n")
        subprocess.run(["echo", "a child's stdout"], check=True)
        print("to stderr", file=sys.stderr)
        result_processor.process_results({
            "count": experimenter.attempt(),
            "echo": str(experimenter.row_id()),
            "phase": custom_config["greeting"],
            "pid": os.getpid(),
        })
        experimenter.result(score=2.5)  # written with the row's end

    elif what == "stream":
        result_processor.process_results({"phase": "half way", "pid": os.getpid()})
        for step in range(3):
            result_processor.process_logs({"steps": {"step": step, "loss": 1.0 / (step + 1)}})
        # the test looks at the table now, while this row runs, and then releases it
        wait_for(os.path.join(scratch, "release"), 60)
        result_processor.process_results({"phase": "finished", "score": 1.0})

    elif what == "paused":
        with open(os.path.join(scratch, "checkpoint"), "w") as f:
            f.write("epoch 7")
        return ExperimentStatus.PAUSED

    elif what == "raise":
        raise ValueError("Example error")

    elif what == "exit3":
        print("about to exit", file=sys.stderr)
        sys.stderr.flush()
        os._exit(3)

    elif what == "fork_exit":
        # a forked child keeps the worker's pipes open after the worker exits
        child = os.fork()
        if child == 0:
            time.sleep(60)
            os._exit(0)
        with open(os.path.join(scratch, "pids"), "w") as f:
            f.write("%d" % child)
        os._exit(4)

    elif what == "sigkill":
        print("about to die", file=sys.stderr)
        sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGKILL)

    elif what == "tree":
        # a child that ignores SIGTERM, and the function never returns: the timeout ends them both
        child = subprocess.Popen([sys.executable, "-c",
                                  "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"])
        with open(os.path.join(scratch, "pids"), "w") as f:
            f.write("%d %d" % (os.getpid(), child.pid))
        while True:
            time.sleep(0.1)

    elif what == "undeclared":
        result_processor.process_results({"not_a_field": 1})

    elif what == "mistyped":
        result_processor.process_results({"count": "three"})

    elif what == "stopping":
        # the helper's calls work inside a function; until stopped, nothing to do
        result_processor.process_results({"phase": "stopping=%s" % experimenter.stopping()})

    elif what == "helper":
        # the helper module's own calls, as in a command's script
        experimenter.log("steps", step=7, loss=0.5)
        experimenter.result(phase="flushed")
        experimenter.flush()
        experimenter.pause()

    elif what == "stop_aware":
        with open(os.path.join(scratch, "pids"), "w") as f:
            f.write("%d" % os.getpid())
        while not experimenter.stopping():
            time.sleep(0.05)
        with open(os.path.join(scratch, "checkpoint"), "w") as f:
            f.write("saved at stop")
        result_processor.process_results({"phase": "checkpointed"})
        return ExperimentStatus.PAUSED

    elif what == "stop_deaf":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        child = subprocess.Popen([sys.executable, "-c",
                                  "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"])
        with open(os.path.join(scratch, "pids"), "w") as f:
            f.write("%d %d" % (os.getpid(), child.pid))
        while True:
            time.sleep(0.1)

    else:
        raise ValueError("unknown case " + what)
