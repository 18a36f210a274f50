# A function that returns at once, for counting worker processes and for the benchmark.
import os
import time

time.sleep(float(os.environ.get("CASES_IMPORT_SLEEP", "0")))
with open(os.environ.get("CASES_PIDS", os.devnull), "a") as f:
    f.write("import %d\n" % os.getpid())


def run(parameters, result_processor, custom_config):
    with open(os.environ.get("CASES_PIDS", os.devnull), "a") as f:
        f.write("row %d\n" % os.getpid())


def nothing(parameters, result_processor, custom_config):
    return None


def where(parameters, result_processor, custom_config):
    """Which process ran the row and which started it (the JVM that started the worker)."""
    result_processor.process_results({"worker": os.getpid(), "starter": os.getppid()})


def leave_children(parameters, result_processor, custom_config):
    """Starts a child and a setsid daemon and returns without waiting for them."""
    import subprocess

    tag = os.environ["LEFT_TAG"]
    subprocess.Popen(["sleep", "3737." + tag])
    subprocess.Popen(["setsid", "sleep", "3838." + tag])
    with open(os.environ.get("CASES_PIDS", os.devnull), "a") as f:
        f.write("row %d\n" % os.getpid())


def fork_after_return(parameters, result_processor, custom_config):
    """Leaves a child with an empty environment in the worker's session ("bare <pid>"), and a thread
    that starts a child 0.3 s after the function returned ("later <pid>")."""
    import subprocess
    import threading

    bare = subprocess.Popen(["sleep", "4040." + os.environ["LEFT_TAG"]], env={})
    with open(os.environ.get("CASES_PIDS", os.devnull), "a") as f:
        f.write("bare %d\n" % bare.pid)

    def start():
        child = subprocess.Popen(["sleep", "3939." + os.environ["LEFT_TAG"]])
        with open(os.environ.get("CASES_PIDS", os.devnull), "a") as f:
            f.write("later %d\n" % child.pid)

    threading.Timer(0.3, start).start()
    run(parameters, result_processor, custom_config)


def linger(parameters, result_processor, custom_config):
    """Leaves a thread running that keeps the worker from exiting when asked to."""
    import threading
    import time

    threading.Thread(target=time.sleep, args=(3600,), daemon=False).start()
    run(parameters, result_processor, custom_config)


def _exited():
    time.sleep(float(os.environ.get("CASES_EXIT_SLEEP", "0")))  # an atexit handler that takes its time
    with open(os.environ.get("CASES_PIDS", os.devnull), "a") as f:
        f.write("exit %d\n" % os.getpid())


import atexit  # noqa: E402 - "exit <pid>": the worker ended by itself, not by a signal

atexit.register(_exited)
