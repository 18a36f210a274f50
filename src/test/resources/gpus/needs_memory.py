"""A command for GpuLocalClusterTest: records when it ran and which GPUs it saw, then needs
--needs MB: below that (EXPERIMENTER_MEMORY_MB) it fails as a program out of memory does."""
import os
import sys
import time

needs = int(sys.argv[sys.argv.index("--needs") + 1])
given = int(os.environ.get("EXPERIMENTER_MEMORY_MB", "0"))
cuda = os.environ.get("CUDA_VISIBLE_DEVICES", "<unset>")
start = time.time()
time.sleep(1.5)
with open(os.environ["GPU_CHECK_LOG"], "a") as log:
    log.write("%s %s %s %.3f %.3f\n" % (os.environ["EXPERIMENTER_ID"], given, cuda, start, time.time()))
if needs > given:
    if needs % 2 == 0:
        sys.stderr.write("RuntimeError: CUDA out of memory. Tried to allocate %d MiB\n" % needs)
        sys.exit(1)
    os.kill(os.getpid(), 9)  # as the kernel's OOM killer ends a process: exit 137
with open(os.environ["EXPERIMENTER_RESULT_FILE"], "w") as out:
    out.write('{"cuda": "%s", "memory_mb": %d}' % (cuda, given))
