"""A command for GpuLocalClusterTest: records when it ran and which GPUs it saw, then needs
--needs MB: below that (EXPERIMENTER_MEMORY_MB) it fails as a program out of memory does. An even
need prints CUDA's message; an odd one runs a program that the kernel's OOM killer ends (a child
in a memory cgroup of a sixteenth of the memory given that touches a sixteenth of the need) and
exits 137 as a shell script around it would; where no cgroup can be made (not root), it prints
Python's MemoryError instead."""
import os
import sys
import time


def killed_by_the_kernel(limit_bytes, touch_bytes):
    """True when a child that touches touch_bytes in a memory cgroup of limit_bytes was ended by
    SIGKILL, as the kernel's OOM killer ends it; False where no cgroup can be made."""
    name = "experimenter-needs-memory-%d" % os.getpid()
    if os.path.exists("/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        cgroup, limit = "/sys/fs/cgroup/memory/" + name, "memory.limit_in_bytes"
    elif os.path.exists("/sys/fs/cgroup/cgroup.subtree_control") and "memory" in open(
            "/sys/fs/cgroup/cgroup.subtree_control").read():
        cgroup, limit = "/sys/fs/cgroup/" + name, "memory.max"
    else:
        return False
    try:
        os.mkdir(cgroup)
    except OSError:
        return False
    try:
        with open(os.path.join(cgroup, limit), "w") as f:
            f.write(str(limit_bytes))
        pid = os.fork()
        if pid == 0:
            try:
                with open(os.path.join(cgroup, "cgroup.procs"), "w") as f:
                    f.write(str(os.getpid()))
                touched = b"a" * touch_bytes
                os._exit(0 if touched else 1)
            except BaseException:
                os._exit(1)
        _, status = os.waitpid(pid, 0)
        return os.WIFSIGNALED(status) and os.WTERMSIG(status) == 9
    except OSError:
        return False
    finally:
        os.rmdir(cgroup)


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
    if killed_by_the_kernel(given * 1024 * 1024 // 16, needs * 1024 * 1024 // 16):
        sys.exit(137)
    sys.stderr.write("MemoryError\n")
    sys.exit(1)
with open(os.environ["EXPERIMENTER_RESULT_FILE"], "w") as out:
    out.write('{"cuda": "%s", "memory_mb": %d}' % (cuda, given))
