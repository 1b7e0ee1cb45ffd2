"""A real kill -9 halfway through an import leaves the store as it was, and it opens cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import keizer
from keizer.config import Settings

DRIVER = """
import sys
import keizer
from keizer.config import Settings

def say(phase):
    print(phase, flush=True)

with keizer.open(sys.argv[1], settings=Settings(secret_key=sys.argv[3])) as ws:
    ws.import_file(sys.argv[2], "interactions", progress=say)
print("finished", flush=True)
"""


def _big_file(path: Path, rows: int) -> Path:
    lines = ["interaction_id,channel,started_at,customer_id,talk_s,topic\n"]
    lines += [
        f"K{i:08d},{('phone', 'email', 'chat')[i % 3]},2025-0{1 + i % 9}-1{i % 10} 10:{i % 60:02d},"
        f"C{i % 50_000},{i % 900},onderwerp {i % 40}\n"
        for i in range(rows)
    ]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_kill_9_during_load_changes_nothing(tmp_path: Path, settings: Settings) -> None:
    store = tmp_path / "k.duckdb"
    with keizer.open(str(store), settings=settings) as ws:
        small = tmp_path / "small.csv"
        small.write_text(
            "interaction_id,channel,started_at\nS1,phone,2025-01-01 10:00\n", encoding="utf-8"
        )
        ws.import_file(small, "interactions")
        before = ws.counts()
    data = _big_file(tmp_path / "big.csv", 400_000)
    driver = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(store), str(data), settings.secret_key],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert driver.stdout is not None
    phases = []
    for line in driver.stdout:
        phases.append(line.strip())
        if line.strip() == "loading":
            break
    time.sleep(0.3)  # inside the load transaction
    assert driver.poll() is None, (phases, driver.stderr.read() if driver.stderr else "")
    os.kill(driver.pid, signal.SIGKILL)
    driver.wait()
    driver.stdout.close()
    if driver.stderr is not None:
        driver.stderr.close()
    assert driver.returncode == -signal.SIGKILL
    assert phases[-1] == "loading"

    with keizer.open(str(store), settings=settings) as ws:
        assert ws.counts() == before
        # ...and the store still works: the same import now runs to the end.
        result = ws.import_file(data, "interactions")
        assert result.result.inserted == 400_000
