#!/usr/bin/env python3
"""Tests of the itc-verify command line: every subcommand, every report format, shard+merge
equals an unsharded run, and bad input gets one line and exit status 2 with nothing left behind.

usage: cli_test.py <itc-verify> <scratch folder>
"""
import json
import re
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

VERIFY, SCRATCH = sys.argv[1], sys.argv[2]
shutil.rmtree(SCRATCH, ignore_errors=True)
os.makedirs(SCRATCH)
failures = []


def run(*args, timeout=300):
    return subprocess.run([VERIFY, *args], capture_output=True, text=True, timeout=timeout)


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


# list
r = run("list")
check(r.returncode == 0 and "queue/missing_task_done" in r.stdout and "Common mistake 2" in r.stdout,
      "list shows ids, mistakes and origins")

# run + every report format
full = os.path.join(SCRATCH, "full")
r = run("run", "queue/*", "counter/*", "--checker", "model", "--report-dir", full)
check(r.returncode == 0, f"run queue/* counter/* --checker model exits 0 (got {r.returncode}: {r.stderr[-300:]})")
files = sorted(os.listdir(full)) if os.path.isdir(full) else []
check(files == ["junit.xml", "report.html", "results.json", "results.sarif", "summary.md"], f"five reports written: {files}")
results = json.load(open(os.path.join(full, "results.json")))
cells = results["cells"]
check(len(cells) == 11 and all(c["checker"] == "model" for c in cells), "results.json has one cell per scenario")
check(all(c["match"] for c in cells), "every cell matches")
failing = [c for c in cells if c["verdict"] != "pass"]
check(all(re.match(r"^/\S+-model run ", c["replay"]) for c in failing),
      "failing cells carry a replay line naming the model checker's path")
check(all(c["trace"] for c in failing if c["verdict"] in ("deadlock", "assertion")), "failing cells carry a trace")

check(all([s["name"] for s in c.get("strategies", [])] == ["bound 2", "random", "pct 3"] for c in cells),
      "every model cell keeps each strategy's result (bound 2, random, PCT depth 3)")
check(all(all(s["verdict"] and s["executions"] is not None for s in c["strategies"]) for c in cells),
      "each strategy's verdict and executions are recorded")

# A defect found by any one strategy is a detection; a correct form must pass every strategy; a
# strategy that stops at its cap (inconclusive) has no verdict. A stand-in model checker answers
# like the real one, except for the strategies and rows the test overrides.
real_model = os.path.realpath(os.path.join(os.path.dirname(VERIFY), "..", "stress", "itc-model"))
fake_model = os.path.join(SCRATCH, "fake-model")
with open(fake_model, "w") as f:
    f.write(f"""#!/usr/bin/env python3
import subprocess, sys
args = sys.argv[1:]
strategy = args[args.index("--strategy") + 1] if "--strategy" in args else ""
override = {{("queue/missing_task_done", "random"): "pass", ("queue/missing_task_done", "pct"): "inconclusive",
            ("queue/correct", "pct"): "deadlock"}}
if args[:1] == ["run"] and (args[1], strategy) in override:
    print("scenario   " + args[1])
    print("verdict    " + override[(args[1], strategy)])
    print("executions 100000 in 0.100 s (1000000/s)")
    sys.exit(1)
sys.exit(subprocess.run([{real_model!r}] + args).returncode)
""")
os.chmod(fake_model, 0o755)
one = os.path.join(SCRATCH, "one_strategy")
r = run("--model-bin", fake_model, "run", "queue/missing_task_done", "queue/correct", "--checker", "model",
        "--report-dir", one)
by_id = {c["id"]: c for c in json.load(open(os.path.join(one, "results.json")))["cells"]} if os.path.isdir(one) else {}
mtd = by_id.get("queue/missing_task_done", {})
verdicts = {s["name"]: s["verdict"] for s in mtd.get("strategies", [])}
check(mtd.get("match") and mtd.get("verdict") == "deadlock"
      and verdicts == {"bound 2": "deadlock", "random": "pass", "pct 3": "inconclusive"},
      f"a deadlock found by bounded search only (random passes, PCT inconclusive) is a detection ({verdicts})")
check("deadlock (b2)" in r.stdout and "b2 bounded search" in r.stdout,
      "the text matrix says which strategy found it, with a legend")
correct = by_id.get("queue/correct", {})
check(correct and not correct.get("match") and correct.get("verdict") == "deadlock" and r.returncode == 1,
      "a correct form that one strategy finds a deadlock in does not match")

junit = ET.parse(os.path.join(full, "junit.xml")).getroot()
cases = junit.findall(".//testcase")
check(junit.tag == "testsuites" and len(cases) == 11 and int(junit.get("tests")) == 11 and junit.get("failures") == "0",
      "junit.xml: testsuites with one testcase per cell, no failures")
check(all(c.get("classname") == "itc.model" and c.get("name") and c.get("time") for c in cases),
      "junit testcases have classname, name and time")

sarif = json.load(open(os.path.join(full, "results.sarif")))
check(sarif["version"] == "2.1.0" and len(sarif["runs"]) == 1, "sarif: version 2.1.0, one run")
run0 = sarif["runs"][0]
rule_ids = {rule["id"] for rule in run0["tool"]["driver"]["rules"]}
check(run0["tool"]["driver"]["name"] == "itc-verify" and "queue/missing_task_done" in rule_ids, "sarif: driver and rules")
check(len(run0["results"]) == len(failing), "sarif: one result per detection")
ok_locations = all(
    res["ruleId"] in rule_ids
    and res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    and res["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
    and (res["kind"], res["level"]) == ("pass", "none")  # every cell matches: no alert
    for res in run0["results"])
check(ok_locations, "sarif: every result has a rule, a file and a line, and is an expected detection (kind pass)")
# An itc error is caught by the Relacy adapter (models/src): the location is the library's line
# that raised it, not the adapter's.
err = os.path.join(SCRATCH, "error-row")
run("run", "lock/release_unowned", "--checker", "model", "--report-dir", err)
uris = [res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for res in json.load(open(os.path.join(err, "results.sarif")))["runs"][0]["results"]]
check(uris and not [u for u in uris if u.startswith(("models/src/", "stress/src/"))],
      f"sarif: an error row points at the scenario, not the checkers' adapters: {uris}")
deadlock = [res for res in run0["results"] if res["ruleId"] == "queue/missing_task_done"][0]
where = deadlock["locations"][0]["physicalLocation"]
check((where["artifactLocation"]["uri"], where["region"]["startLine"]) == ("models/scenarios/queue.hpp", 82),
      "sarif: the missing task_done() points at the scenario's DEFECT line, not at queue.hpp's join()")

md = open(os.path.join(full, "summary.md")).read()
check("| `queue/missing_task_done` |" in md and "Every cell matches" in md, "summary.md has the matrix")
html = open(os.path.join(full, "report.html")).read()
check(html.startswith("<!DOCTYPE html>") and 'class="lanes"' in html and "thread 1" in html,
      "report.html is self-contained and draws lanes")

# shard + merge == unsharded
shards = []
for i in (1, 2, 3):
    d = os.path.join(SCRATCH, f"shard{i}")
    r = run("run", "queue/*", "counter/*", "--checker", "model", "--shard", f"{i}/3", "--report-dir", d)
    check(r.returncode == 0, f"shard {i}/3 exits 0")
    shards.append(os.path.join(d, "results.json"))
merged = os.path.join(SCRATCH, "merged")
r = run("merge", *shards, "--report-dir", merged)
check(r.returncode == 0, f"merge exits 0 ({r.stderr.strip()})")
key = lambda c: (c["id"], c["checker"], c["verdict"], c["expected"], c["match"], c["replay"])
m = json.load(open(os.path.join(merged, "results.json")))
check([key(c) for c in m["cells"]] == [key(c) for c in cells], "shard 1..3 merged equals the unsharded run")
r = run("merge", shards[0], shards[0], "--report-dir", os.path.join(SCRATCH, "dup"))
check(r.returncode == 2 and not os.path.exists(os.path.join(SCRATCH, "dup")), "merging a shard twice is refused")

# An incomplete or mixed shard set is refused, names what is missing and overwrites nothing;
# --allow-partial merges it and says so (exit 1: the report is not the whole matrix).
before = open(os.path.join(merged, "results.json")).read()
r = run("merge", shards[1], "--report-dir", merged)
check(r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "1/3, 3/3 missing" in r.stderr
      and open(os.path.join(merged, "results.json")).read() == before,
      f"merging 1 of 3 shards is refused, names the missing ones, overwrites nothing: {r.stderr.strip()}")
other = os.path.join(SCRATCH, "other-run")
r = run("run", "queue/*", "--checker", "model", "--shard", "2/2", "--report-dir", other)
r = run("merge", shards[0], os.path.join(other, "results.json"), "--report-dir", merged)
check(r.returncode == 2 and "different runs" in r.stderr and open(os.path.join(merged, "results.json")).read() == before,
      f"merging shards of different runs is refused: {r.stderr.strip()}")
partial = os.path.join(SCRATCH, "partial")
r = run("merge", shards[0], shards[2], "--report-dir", partial, "--allow-partial")
pj = json.load(open(os.path.join(partial, "results.json"))) if os.path.exists(partial) else {}
check(r.returncode == 1 and "PARTIAL: shard(s) 2/3 missing" in r.stdout and pj.get("missing_shards") == ["2/3"],
      f"--allow-partial merges, says which shard is missing and exits 1 ({r.returncode})")

# Global options work after the subcommand too; a binary that is not the checker its option
# names is refused (one line, status 2) instead of being graded.
bin_dir = os.path.join(os.path.dirname(os.path.abspath(VERIFY)), "..", "stress")
stress_bin = os.path.realpath(os.path.join(bin_dir, "itc-stress"))
model_bin = os.path.realpath(os.path.join(bin_dir, "itc-model"))
r = run("repro", "queue/if_not_while", "--checker", "model", "--model-bin", model_bin)
check(r.returncode == 0 and "assertion" in r.stdout, f"--model-bin after the subcommand is accepted ({r.stderr.strip()})")
for args, what in ((["--tsan-bin", stress_bin, "run", "queue/correct", "--checker", "tsan"], "ThreadSanitizer"),
                   (["run", "queue/correct", "--checker", "tsan", "--tsan-bin", stress_bin], "ThreadSanitizer"),
                   (["run", "queue/correct", "--checker", "model", "--model-bin", stress_bin], "not a model checker")):
    r = run(*args)
    lines = r.stderr.strip().splitlines()
    check(r.returncode == 2 and len(lines) == 1 and what in lines[0], f"{args[:2]} refused: {lines[:1]}")

# matrix (model column only, to keep this test short) writes reports by default folder
r = run("matrix", "--checker", "model", "--report-dir", os.path.join(SCRATCH, "matrix"), "queue/*_task_done", "queue/correct")
check(r.returncode == 0 and "every cell matches" in r.stdout, "matrix grades and exits 0")

# explain, compare, repro
r = run("explain", "queue/missing_task_done")
check(r.returncode == 0 and "deadlock" in r.stdout and "call it once per" in r.stdout and "watchdog" in r.stdout,
      "explain shows defect, fix, and why each checker sees it")
r = run("compare", "queue/correct", "queue/missing_task_done")
check(r.returncode == 0 and "task_done" in r.stdout and "failing interleaving of queue/missing_task_done" in r.stdout
      and "-      this->q.task_done();" in r.stdout, "compare shows the code difference, verdicts and the interleaving")
r = run("repro", "queue/if_not_while", "--checker", "model")
check(r.returncode == 0 and "replay" in r.stdout and "assertion" in r.stdout, "repro prints the evidence and replay line")
state = [l for l in r.stdout.splitlines() if l.startswith("replay")][0].split("--replay '")[1].rstrip("'")
r = run("repro", "queue/if_not_while", "--checker", "model", "--replay", state)
check(r.returncode == 0 and "executions 1 " in r.stdout, "repro --replay runs exactly the recorded execution")

# The terminal. A stand-in stress runner with a catalog of its own: an id longer than the
# matrix's old fixed column (33 characters), and a row whose expected hang it never finds.
LONG_ID = "family/a_scenario_whose_id_is_much_longer_than_thirty_three_characters"
fake_stress = os.path.join(SCRATCH, "fake-stress")
with open(fake_stress, "w") as f:
    f.write(f"""#!/usr/bin/env python3
import sys
args = sys.argv[1:]
rows = [({LONG_ID!r}, "—"), ("fake/missed", "hang"), ("fake/found", "hang")]
if args == ["info"]:
    print("checker      stress")
    print("catalog      /tmp/fake-catalog.hpp")
    print("source-root  /tmp")
elif args == ["list", "--tsv"]:
    print("id\\tthreads\\torigin\\tdefect\\tfix\\tsource\\tmodel\\tstress\\ttsan")
    for id, stress in rows:
        print("\\t".join([id, "2", "a test", "—" if stress == "—" else "a defect", "—", "x.hpp", "—", stress, "—"]))
elif args[:1] in (["run"], ["repro"]):
    verdict = "hang" if args[1] == "fake/found" else "pass"
    expected = dict(rows)[args[1]]
    print("scenario   " + args[1])
    print("verdict    " + verdict + ("  (as expected)" if (verdict == "pass") == (expected == "—") else "  (EXPECTED hang)"))
    if verdict == "hang":
        print("re-run     {fake_stress} run fake/found --seed 3 --iterations 1   (same chaos seed)")
    sys.exit(0 if (verdict == "pass") == (expected == "—") else 1)
else:
    sys.exit(2)
""")
os.chmod(fake_stress, 0o755)
r = run("--stress-bin", fake_stress, "run", "--checker", "stress")
out = r.stdout.splitlines()
header = [i for i, l in enumerate(out) if l.startswith("scenario ")]
table = out[header[0]:header[0] + 4] if header else []
col = table[0].find("stress") if table else -1
check(len(table) == 4 and col > len(LONG_ID)
      and all(len(l) > col and l[col - 1] == " " and l[col] != " " and l[:col].rstrip() == l[:col].rstrip().split(" ")[0]
              for l in table[1:]),
      "the text matrix's columns are sized to the data (an id of " + str(len(LONG_ID)) + " characters):\n" + "\n".join(table))
tail = r.stdout[r.stdout.find("cells do not match"):] if "cells do not match" in r.stdout else ""
self_path = os.path.realpath(VERIFY)
check(r.returncode == 1 and "1 of 3 cells do not match" in r.stdout
      and re.search(r"fake/missed\s+stress\s+verdict pass, expected hang", tail)
      and re.search(r"re-run\s+" + re.escape(self_path) + r" --stress-bin " + re.escape(os.path.abspath(fake_stress))
                    + r" repro fake/missed --checker stress", tail)
      and LONG_ID not in tail and "fake/found" not in tail,
      "the closing lines name the mismatching cell, its verdict against the expected one, and the command that re-runs it:\n" + tail)

# --version on every tool; --help with defaults and exit codes.
stress_dir = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(VERIFY)), "..", "stress"))
for tool in (VERIFY, os.path.join(stress_dir, "itc-model"), os.path.join(stress_dir, "itc-stress")):
    name = os.path.basename(tool)
    r = subprocess.run([tool, "--version"], capture_output=True, text=True, timeout=30)
    check(r.returncode == 0 and re.fullmatch(re.escape(name) + r" \(itc\) \d+\.\d+\.\d+\S*\n", r.stdout),
          f"{name} --version prints its name and itc's version ({r.returncode}: {r.stdout.strip()} {r.stderr.strip()})")
r = run("--help")
check(r.returncode == 0 and "Exit status" in r.stdout and "repro" in r.stdout and "--version" in r.stdout,
      "itc-verify --help lists the subcommands and the exit status")
r = run("run", "--help")
check(r.returncode == 0 and re.search(r"--budget\s+SECONDS=900\s", r.stdout) and re.search(r"--check-timeout\s+SECONDS=180\s", r.stdout)
      and re.search(r"--rate-runs\s+RUNS=3\s", r.stdout) and "Exit status" in r.stdout,
      "itc-verify run --help shows every option's default and the exit status:\n" + r.stdout)
r = run("repro", "--help")
check(r.returncode == 0 and re.search(r"--budget\s+SECONDS=60\s", r.stdout) and "reproduced" in r.stdout,
      "itc-verify repro --help shows its budget and what its exit status means")

# Number parsing errors say what was expected.
for args, want in ((["run", "queue/correct", "--budget", "abc"], "--budget: expected a number of seconds between 1 and 86400, got 'abc'"),
                   (["run", "queue/correct", "--check-timeout", "0"], "--check-timeout: expected a number of seconds between 1 and 3600, got '0'"),
                   (["run", "queue/correct", "--rate-runs", "many"], "--rate-runs: expected a whole number of runs between 0 and 1000, got 'many'"),
                   (["repro", "queue/correct", "--checker", "stress", "--budget", "-1"], "--budget: expected a number of seconds between 1 and 3600, got '-1'")):
    r = run(*args)
    check(r.returncode == 2 and r.stderr.strip().startswith("itc-verify: " + want),
          f"{' '.join(args[2:])}: {r.stderr.strip()}")

# repro: its words and its exit status agree; 0 = the catalog's verdict was reproduced.
r = run("repro", "queue/correct", "--checker", "model")
check(r.returncode == 0 and re.search(r"^repro\s+reproduced pass", r.stdout, re.M),
      f"repro of a correct form that passes says so and exits 0 ({r.returncode}): {r.stdout[-300:]}")
r = run("repro", "queue/missing_task_done", "--checker", "model")
check(r.returncode == 0 and re.search(r"^repro\s+reproduced deadlock after 1 attempt \(bound 2\)", r.stdout, re.M)
      and "replay" in r.stdout,
      f"repro of a deadlock found by bounded search ({r.returncode}): {r.stdout[-300:]}")
blind_model = os.path.join(SCRATCH, "blind-model")
with open(blind_model, "w") as f:
    f.write(f"""#!/usr/bin/env python3
import subprocess, sys
args = sys.argv[1:]
if args[:2] == ["run", "queue/missing_task_done"]:
    print("scenario   queue/missing_task_done")
    print("verdict    pass  (EXPECTED deadlock)")
    print("executions 100 in 0.010 s (10000/s)")
    sys.exit(1)
sys.exit(subprocess.run([{model_bin!r}] + args).returncode)
""")
os.chmod(blind_model, 0o755)
r = run("--model-bin", blind_model, "repro", "queue/missing_task_done", "--checker", "model")
check(r.returncode == 1 and re.search(r"^repro\s+did not reproduce: verdict pass, expected deadlock, after 3 attempts", r.stdout, re.M),
      f"repro that finds nothing says 'did not reproduce' and exits 1 ({r.returncode}): {r.stdout[-300:]}")
r = run("--stress-bin", fake_stress, "repro", "fake/missed", "--checker", "stress")
check(r.returncode == 1 and re.search(r"did not reproduce: verdict pass, expected hang", r.stdout),
      f"repro of a stress cell whose verdict is not the expected one exits 1 ({r.returncode}): {r.stdout[-300:]}")
r = run("repro", "queue/correct", "--checker", "stress", "--budget", "7", timeout=120)
progress = [l for l in r.stderr.splitlines() if "runs in" in l and "no failure yet" in l]
check(r.returncode == 0 and re.search(r"^repro\s+reproduced pass", r.stdout, re.M) and progress,
      f"stress repro of a correct form: progress on stderr while it runs, 'reproduced pass', exit 0 ({r.returncode}): "
      f"{r.stdout[-200:]} / {r.stderr[-200:]}")

# bad input: one line on stderr, status 2, no report folder left behind
bad_dir = os.path.join(SCRATCH, "never")
for args in (["run", "no/such_thing", "--report-dir", bad_dir],
             ["run", "queue/[", "--report-dir", bad_dir],
             ["run", "nothing*", "--report-dir", bad_dir],
             ["run", "queue/correct", "--checker", "valgrind", "--report-dir", bad_dir],
             ["run", "queue/correct", "--shard", "5/3", "--report-dir", bad_dir],
             ["run", "queue/correct", "--shard", "0/0", "--report-dir", bad_dir],
             ["run", "queue/correct", "--shard", "x", "--report-dir", bad_dir],
             ["repro", "queue/correct", "--checker", "model", "--replay", "garbage"],
             ["run", "queue/correct", "--checker", "model", "--report-dir", "/proc/itc-cannot-write-here"],
             ["run", "queue/correct", "--checker", "model", "--report-dir", os.path.join(full, "junit.xml")],
             ["run", "queue/correct", "--budget", "-5"],
             ["frobnicate"],
             ["explain"]):
    r = run(*args)
    lines = r.stderr.strip().splitlines()
    check(r.returncode == 2 and len(lines) == 1 and lines[0].startswith("itc-verify: ") and not os.path.exists(bad_dir),
          f"bad input {args[:3]} -> status {r.returncode}, {lines[:1]}")

print(f"\n{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
