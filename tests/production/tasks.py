"""A task for the worker tests: records each run as one line in a file."""

import os
import time

from django_tasks import task


@task()
def record_run(path: str, n: int) -> int:
    with open(path, "a") as handle:  # noqa: PTH123
        handle.write(f"{n} {os.getpid()}\n")
    time.sleep(0.05)
    return n
