# A module that cannot be imported: every row of a run fails at once, with this error.
import os

with open(os.environ["CASES_PIDS"], "a") as f:
    f.write("import %d\n" % os.getpid())
raise ImportError("broken on purpose")
