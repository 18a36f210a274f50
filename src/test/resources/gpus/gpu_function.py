# A Python function for GpuLocalClusterTest: which worker ran the row, with which GPUs, and when.
import os
import time


def run(parameters, result_processor, custom_config):
    start = time.time()
    time.sleep(1.5)
    result_processor.process_results(
        {
            "cuda": os.environ.get("CUDA_VISIBLE_DEVICES", "<unset>"),
            "worker": os.getpid(),
            "started": start,
            "ended": time.time(),
        }
    )
