#!/usr/bin/env python3
"""The `bench.report` CTest test: the whole pipeline of run_bench.py, briefly, in both conditions.

    smoke_report_test.py --bin-dir DIR --python PATH --out DIR

1. `run_bench.py --smoke --conditions quiet,load1`: one brief round of every unit, once quiet and
   once next to one busy process the driver starts. Checks that it succeeds, that report.md and
   results.json carry both conditions (a column per condition in the targets and comparisons
   tables, the load's CPU share in the machine section), that the load process really ran (its
   measured share of the CPUs is above zero) and that every load process it started is gone
   afterwards (its PID no longer exists, or belongs to a process started later).
2. The driver interrupted while its load runs (`--load 1`, many rounds): by SIGINT inside a unit
   and by SIGTERM while it lets the load settle (before the `with` body runs), it must stop its
   load processes before it exits (status 130 / 143); by SIGKILL, which it cannot handle, the
   load processes must die with it (PR_SET_PDEATHSIG; a zombie waiting for init to reap it counts
   as gone: it runs nothing). Each mutant that skips one of these clean-ups fails here.
Exit status 0 if every check passed; each check prints ok/FAIL.
"""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def state_of(pid, starttime):
    """'gone', 'zombie' or 'running' for the process that had this PID and start time."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "gone"
    fields = text[text.rindex(")") + 2:].split()
    if starttime is not None and int(fields[19]) != starttime:
        return "gone"  # the PID was reused by a later process
    return "zombie" if fields[0] in ("Z", "X") else "running"


def full_run(args):
    out = Path(args.out)
    t0 = time.time()
    p = subprocess.run([args.python, str(HERE / "run_bench.py"), "--smoke", "--conditions", "quiet,load1",
                        "--bin-dir", args.bin_dir, "--python", args.python, "--out", str(out)],
                       capture_output=True, text=True, timeout=120)
    sys.stderr.write(p.stderr[-3000:])
    check(p.returncode == 0, f"run_bench.py --smoke --conditions quiet,load1 exits 0 (got {p.returncode}, "
                             f"{time.time() - t0:.1f} s)")
    try:
        res = json.loads((out / "results.json").read_text())
        report = (out / "report.md").read_text()
    except (OSError, ValueError) as e:
        check(False, f"results.json and report.md readable ({e})")
        return
    conds = {c["name"]: c for c in res["meta"]["conditions"]}
    check(list(conds) == ["quiet", "load1"], f"results.json has the conditions quiet, load1 ({list(conds)})")
    samples = res["samples_ns_per_unit_by_condition_and_round"]
    for c in ("quiet", "load1"):
        check(len(samples.get(c, {})) > 20, f"{c}: benchmarks measured ({len(samples.get(c, {}))})")
    load = conds.get("load1", {})
    procs = load.get("load_processes", [])
    check(len(procs) == 1 and not conds.get("quiet", {}).get("load_processes"),
          f"one load process started for load1, none for quiet ({len(procs)})")
    check((load.get("load_median") or 0) > 0.01,
          f"the load process's CPU share was measured (median {load.get('load_median')} of the CPUs)")
    for rec in procs:
        check(state_of(rec["pid"], rec["starttime"]) == "gone", f"load process {rec['pid']} is gone after the run")
        check(rec["returncode"] is not None, f"load process {rec['pid']} was waited for ({rec['returncode']})")
    head = next((l for l in report.splitlines() if l.startswith("| target | needed |")), "")
    check("quiet: paired median" in head and "load1: paired median" in head,
          "the targets table has a column per condition")
    row = next((l for l in report.splitlines() if l.startswith("| itc::Queue 1P/1C vs textbook queue |")), "")
    check(len(re.findall(r"\d× \(", row)) == 2, f"the Queue 1P/1C target is measured in both conditions: {row}")
    row = next((l for l in report.splitlines() if "(itc_queue / std) | queue/mpmc4 |" in l), "")
    check(len(re.findall(r"\d×", row)) == 2, f"the 4P/4C comparison is measured in both conditions: {row}")
    check(re.search(r"^- load1: load: 1 busy process\(es\) .*using median \d+%", report, re.M) is not None,
          "the machine section reports the load's share of the CPUs")


def interrupted_run(args, sig, delay):
    """Starts a long loaded run, sends `sig` `delay` s after the driver said it started its load,
    checks that the load processes are gone. The first unit (queue/spsc, ~10 benchmarks of at least
    0.1 s each) starts 0.2 s after that message: delay 0 hits the driver while it waits for the
    load to settle, 0.5 inside a unit."""
    cmd = [args.python, str(HERE / "run_bench.py"), "--load", "1", "--rounds", "1000", "--min-time", "0.1",
           "--cputime-ms", "0", "--groups", "queue/spsc", "--python", "no-such-python", "--bin-dir", args.bin_dir,
           "--out", str(Path(args.out) / "interrupted")]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    pids, seen = [], []
    deadline = time.time() + 20
    while time.time() < deadline:
        line = p.stderr.readline()
        if not line:
            break
        seen.append(line)
        m = re.search(r"load: started \d+ busy process\(es\) \(.*\), PIDs ([\d ]+)$", line.strip())
        if m:
            pids = [int(x) for x in m.group(1).split()]
            break
    name = signal.Signals(sig).name
    check(len(pids) == 1, f"{name}: the driver started its load process ({''.join(seen[-3:]).strip()})")
    starttimes = {}
    for pid in pids:
        try:
            starttimes[pid] = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
        except OSError:
            starttimes[pid] = None
    time.sleep(delay)
    os.kill(p.pid, sig)
    try:
        _, err = p.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
        check(False, f"{name}: the driver exits when signalled")
    want = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGKILL: -signal.SIGKILL}[sig]
    check(p.returncode == want, f"{name}: the driver's exit status is {want} (got {p.returncode})")
    if sig != signal.SIGKILL:
        check("load: stopped PIDs" in err, f"{name}: the driver says it stopped its load processes")
    for pid in pids:
        deadline = time.time() + 3
        st = state_of(pid, starttimes[pid])
        while st == "running" and time.time() < deadline:
            time.sleep(0.05)
            st = state_of(pid, starttimes[pid])
        ok = st == "gone" or (sig == signal.SIGKILL and st == "zombie")
        check(ok, f"{name}: load process {pid} is gone ({st})")
        if st == "running":  # do not leave a busy process behind on a shared machine
            os.kill(pid, signal.SIGKILL)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    full_run(args)
    for sig, delay in ((signal.SIGINT, 0.5), (signal.SIGTERM, 0.0), (signal.SIGKILL, 0.5)):
        interrupted_run(args, sig, delay)
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
