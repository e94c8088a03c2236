"""`make run` with a virtualenv already there: seconds from the command to a server answering.

The first start (not timed) sets up a throw-away database; each timed round then starts
`make run` afresh, as a developer does every morning, and stops it once the home page has
answered. Prints each round's wall seconds, the median and the load average.
Target: under 5 s on an idle machine.

    python bench/run_start.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import tempfile
import time
import urllib.request

from _setup import ROOT, free_port


def start_once(env: dict[str, str], port: int, timeout: float = 300) -> float:
    """Seconds from `make run` to the home page's first 200; the run is stopped after."""
    started = time.perf_counter()
    process = subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: make, the worker and the server stop together
    )
    try:
        while time.perf_counter() - started < timeout:
            if process.poll() is not None:
                raise RuntimeError(f"make run exited with {process.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/en/", timeout=5) as response:
                    if response.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("make run did not answer in time")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="bench-run-")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{scratch}/db.sqlite3",
        "MEDIA_ROOT": f"{scratch}/media",
        "DEBUG": "true",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    print(f"first start (migrations, content; not timed): {start_once(env, free_port()):.2f} s")
    times = []
    for n in range(args.rounds):
        load = os.getloadavg()[0]
        seconds = start_once(env, free_port())
        times.append(seconds)
        print(f"round {n + 1}: make run to the home page answering {seconds:.2f} s (load {load:.2f})")
    print(f"median {statistics.median(times):.2f} s over {args.rounds} rounds (target: under 5 s idle)")


if __name__ == "__main__":
    main()
