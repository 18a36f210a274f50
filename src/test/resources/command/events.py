# Events files of the tests: python3 events.py <what>; writes its events at once and exits.
import json
import os
import sys
import time

what = sys.argv[1]
with open(os.environ["EXPERIMENTER_EVENTS_FILE"], "a") as events:
    if what == "burst":
        # 70 lines of 1 MB: more than was ever read at once
        for i in range(70):
            events.write(json.dumps({"results": {"phase": str(i) + "x" * (1 << 20)}}) + "\n")
        events.write('{"results": {"phase": "last"}}\n')
    elif what == "long_line":
        events.write('{"results": {"phase": "before the long line"}}\n')
        events.write('{"results": {"phase": "' + "x" * (17 << 20) + '"}}\n')
    elif what == "fail":
        events.write('{"results": {"phase": "before failing"}}\n')
    elif what == "hang":
        events.write('{"results": {"phase": "before the timeout"}}\n')
if what == "hang":
    time.sleep(600)
with open(os.environ["EXPERIMENTER_RESULT_FILE"], "w") as result:
    result.write('{"echo": "ok"}')
sys.exit(3 if what == "fail" else 0)
