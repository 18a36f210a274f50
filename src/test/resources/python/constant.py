# A function that returns at once, for counting worker processes and for the benchmark.
import os

with open(os.environ.get("CASES_PIDS", os.devnull), "a") as f:
    f.write("import %d\n" % os.getpid())


def run(parameters, result_processor, custom_config):
    with open(os.environ.get("CASES_PIDS", os.devnull), "a") as f:
        f.write("row %d\n" % os.getpid())


def nothing(parameters, result_processor, custom_config):
    return None
