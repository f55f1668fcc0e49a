# SPDX-License-Identifier: Apache-2.0
"""Helpers shared by the trail API tests: fast delivery settings, waiting for files,
reading delivered records, running `bulwark trail`."""
import glob
import gzip
import json
import os
import sqlite3
import subprocess
import time

# Deliver log files 0.3 s after their oldest event and digest every 2 s (defaults: 300 s
# and 3600 s); set before any server of the test module starts.
os.environ["BULWARK_TRAIL_DELIVERY_SECONDS"] = "0.3"
os.environ["BULWARK_TRAIL_DIGEST_SECONDS"] = "2"


def bulwark(server, *args):
    exe = os.path.join(os.environ.get("BW_BIN_DIR") or os.path.join(
        os.path.dirname(__file__), "..", "..", "build", "asan", "src", "cmd"), "bulwark")
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
    return subprocess.run([exe, "trail", *args, "--data-dir", server.data_dir],
                          capture_output=True, text=True, timeout=120, env=env)


def trail_dir(server, name):
    return os.path.join(server.data_dir, "trails", name)


def log_files(server, name):
    return sorted(glob.glob(os.path.join(trail_dir(server, name), "**", "CloudTrail", "**",
                                         "*.json.gz"), recursive=True))


def digest_files(server, name):
    return sorted(glob.glob(os.path.join(trail_dir(server, name), "**", "CloudTrail-Digest",
                                         "**", "*.json.gz"), recursive=True))


def records(server, name):
    out = []
    for f in log_files(server, name):
        with gzip.open(f) as g:
            out.extend(json.load(g)["Records"])
    return out


def wait_for(pred, timeout=20, step=0.1):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    raise AssertionError("condition not met in %ss" % timeout)


def db(server):
    c = sqlite3.connect(os.path.join(server.data_dir, "bulwark.db"), timeout=30)
    return c


def event_count(server):
    with db(server) as c:
        return c.execute("SELECT COUNT(*) FROM trail_events").fetchone()[0]


def settle(server, name):
    """Waits until every recorded event of the trail's account is in a file and a digest
    covers the newest file."""
    def done():
        with db(server) as c:
            row = c.execute("SELECT cursor_seq, id, logging, stop_drained FROM trails"
                            " WHERE name = ?", (name,)).fetchone()
            mx = c.execute("SELECT COALESCE(MAX(seq),0) FROM trail_events").fetchone()[0]
            und = c.execute("SELECT COUNT(*) FROM trail_files WHERE trail_id = ? AND kind='log'"
                            " AND digest_id IS NULL", (row[1],)).fetchone()[0]
        delivered = row[0] >= mx if row[2] else row[3] == 1
        return delivered and und == 0
    wait_for(done, timeout=30)
