# The command experiment of the tests: one behaviour per value of the keyfield "what".
# Started as: python3 cases.py --what <what> --what=<what> (the second from {args}).
import json
import os
import signal
import subprocess
import sys
import time

import experimenter

p = experimenter.params()
case = p["what"]
scratch = experimenter.scratch_dir()


def record(name, value):
    with open(os.path.join(scratch, name), "w", encoding="utf-8") as f:
        f.write(str(value))


def wait_for(name, seconds):
    end = time.time() + seconds
    while time.time() < end and not os.path.exists(os.path.join(scratch, name)):
        time.sleep(0.05)


if case == "ok":
    assert sys.argv[1:3] == ["--what", "ok"] and "--what=ok" in sys.argv, sys.argv
    assert os.environ["EXPERIMENTER_PARAM_WHAT"] == "ok"
    with open(os.environ["EXPERIMENTER_PARAMS_FILE"], encoding="utf-8") as f:
        inputs = json.load(f)
    assert inputs["parameters"] == {"what": "ok"}, inputs
    print("hello from ok")
    experimenter.result(score=2.5, count=experimenter.attempt(), echo=str(experimenter.row_id()),
                        phase=experimenter.custom()["greeting"])

elif case == "stream":
    for step in range(3):
        experimenter.log("steps", step=step, loss=1.0 / (step + 1))
    experimenter.result(phase="half way")
    experimenter.flush()
    # the test releases this row once it has seen the log rows and the result in the table
    wait_for("release", 30)
    experimenter.result(phase="finished", score=1.0)

elif case == "flushed_then_exit":
    # the flush is read when the process has exited: its results stay in the failed row
    experimenter.result(phase="flushed before failing")
    experimenter.flush()
    sys.exit(4)

elif case == "exit3":
    sys.stderr.write("something went wrong on purpose\n")
    sys.exit(3)

elif case == "signal":
    sys.stderr.write("about to die by SIGKILL\n")
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)

elif case == "tree":
    # a grandchild that ignores SIGTERM (it notes that it got one), then this process waits forever.
    # SIGTERM is blocked until the grandchild's handler is in place (the mask is inherited across
    # fork and exec): on a loaded machine the row's timeout may come before that, and a SIGTERM
    # then stays pending instead of ending the grandchild unnoted
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    grandchild = subprocess.Popen([sys.executable, "-c", """
import os, signal, sys, time
def note(*_):
    open(os.path.join(sys.argv[1], "grandchild-got-sigterm"), "w").close()
signal.signal(signal.SIGTERM, note)
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
open(os.path.join(sys.argv[1], "grandchild-ready"), "w").close()
while True:
    time.sleep(0.1)
""", scratch])
    record("pids", "%d %d" % (os.getpid(), grandchild.pid))
    wait_for("grandchild-ready", 60)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    while True:
        time.sleep(0.1)

elif case == "huge_stderr":
    chunk = "x" * 1023 + "\n"
    for _ in range(5 * 1024):  # 5 MB
        sys.stderr.write(chunk)
    sys.stderr.write("the last line of stderr\n")
    sys.exit(1)

elif case == "no_result":
    print("forgot to write results")

elif case == "malformed":
    with open(os.environ["EXPERIMENTER_RESULT_FILE"], "w") as f:
        f.write('{"score": 1.0,')

elif case == "undeclared":
    experimenter.result(not_a_field=1)

elif case == "mistyped":
    experimenter.result(count="three")

elif case == "bad_event":
    with open(os.environ["EXPERIMENTER_EVENTS_FILE"], "a") as f:
        f.write('{"log": "steps", "row": {"step": 0, "loss": 0.5}}\n')
        f.write("this is no json\n")
    time.sleep(30)

elif case == "paused":
    record("checkpoint", "epoch 7")
    experimenter.pause()

elif case == "leftover":
    # a child left running that notes the SIGTERM the tool ends it with and then exits: the kill
    # grace holds for what a command leaves behind too
    child = subprocess.Popen([sys.executable, "-c", """
import os, signal, sys, time
def note(*_):
    open(os.path.join(sys.argv[1], "leftover-got-sigterm"), "w").close()
    sys.exit(0)
signal.signal(signal.SIGTERM, note)
open(os.path.join(sys.argv[1], "leftover-ready"), "w").close()
while True:
    time.sleep(0.1)
""", scratch])
    record("pids", "%d" % child.pid)
    wait_for("leftover-ready", 60)
    time.sleep(0.6)  # seen by the tool while this process runs
    experimenter.result(score=0.0)

elif case == "stop_aware":
    # runs until the run stops, then keeps its progress and pauses
    record("pids", "%d" % os.getpid())
    while not experimenter.stopping():
        time.sleep(0.05)
    record("checkpoint", "saved at stop")
    experimenter.result(phase="checkpointed")
    experimenter.pause()

elif case == "stop_deaf":
    # never looks at the stop; its grandchild ignores SIGTERM
    grandchild = subprocess.Popen([sys.executable, "-c",
                                   "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                                   "while True: time.sleep(0.1)"])
    record("pids", "%d %d" % (os.getpid(), grandchild.pid))
    while True:
        time.sleep(0.1)

elif case.startswith("where"):
    # which JVM started this process: an executor's (local-cluster) or the driver's (local mode)
    with open("/proc/%d/cmdline" % os.getppid(), "rb") as f:
        parent = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
    experimenter.log("steps", step=0, loss=0.5)
    experimenter.flush()
    time.sleep(0.3)
    experimenter.result(echo="executor" if "CoarseGrainedExecutorBackend" in parent else parent[:200],
                        count=os.getppid(), score=1.0)

elif case.startswith("unicode"):
    assert os.environ["EXPERIMENTER_PARAM_WHAT"] == case, ascii(os.environ["EXPERIMENTER_PARAM_WHAT"])
    assert sys.argv[2] == case, ascii(sys.argv)
    print("stdout: " + case)
    sys.stderr.write("stderr: " + case + "\n")
    experimenter.log("steps", step=1, loss=0.0)
    experimenter.result(echo=case + " ✓", phase="ünïcödé")

else:
    sys.exit("unknown case " + case)
