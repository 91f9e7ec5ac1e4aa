#!/usr/bin/env python3
"""A project outside itc's tree checks its own class: examples/own_scenario, copied to a scratch
folder, uses itc either as an installed package (--mode find_package: `cmake --install` of this
build tree into a scratch prefix, then find_package(itc CONFIG REQUIRED)) or as a subproject
(--mode add_subdirectory). Either way it must build mybuffer-model, mybuffer-stress and
mybuffer-tsan and nothing of itc's own, and itc-verify (the installed one, or the subproject's
target) must grade its catalog, with every output pointing at the project's own files:

- the matrix: every cell as the catalog expects (the model checker and TSan find the race);
- the model trace of the race: steps of both threads inside mylib/bounded_buffer.hpp;
- the SARIF results: mylib/bounded_buffer.hpp relative to the project root, at the defect;
- the printed replay (model) and re-run (tsan) lines, pasted into a shell elsewhere, run the
  project's binaries and find the same defect;
- a plain runner given as --tsan-bin is refused (one line, exit 2); options after the
  subcommand work; `ctest -N` works in a tree where only the checkers were built.

usage: consumer_test.py --mode find_package|add_subdirectory --itc-source DIR --itc-build DIR
                        --cxx COMPILER --generator GEN --scratch DIR
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--mode", required=True, choices=["find_package", "add_subdirectory"])
ap.add_argument("--itc-source", required=True)
ap.add_argument("--itc-build", required=True)
ap.add_argument("--cxx", required=True)
ap.add_argument("--generator", required=True)
ap.add_argument("--scratch", required=True)
args = ap.parse_args()

failures = []
t_start = time.monotonic()


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)
    return cond


def run(cmd, cwd=None, timeout=600, shell=False):
    started = time.monotonic()
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, shell=shell)
    shown = cmd if shell else " ".join(cmd)
    print(f"$ {shown}   # exit {r.returncode}, {time.monotonic() - started:.1f} s", flush=True)
    return r


def must(r, what):
    if not check(r.returncode == 0, what):
        print(r.stdout[-3000:], r.stderr[-3000:], sep="\n")
        sys.exit(1)


scratch = os.path.abspath(args.scratch)
shutil.rmtree(scratch, ignore_errors=True)
os.makedirs(scratch)
# The project lives where no itc folder name is on its path: <scratch>/acme-buffer.
project = os.path.join(scratch, "acme-buffer")
shutil.copytree(os.path.join(args.itc_source, "examples", "own_scenario"), project)
build = os.path.join(scratch, "build")
configure = ["cmake", "-S", project, "-B", build, "-G", args.generator, f"-DCMAKE_CXX_COMPILER={args.cxx}",
             "-DCMAKE_BUILD_TYPE=RelWithDebInfo"]
targets = ["mybuffer-model", "mybuffer-stress", "mybuffer-tsan"]

if args.mode == "find_package":
    prefix = os.path.join(scratch, "prefix")
    must(run(["cmake", "--install", args.itc_build, "--prefix", prefix]), "cmake --install <itc build> --prefix P")
    check(os.path.isfile(os.path.join(prefix, "include", "itc", "models", "scenario.hpp")),
          "the scenario API is installed")
    check(not os.path.exists(os.path.join(prefix, "include", "itc", "broken")),
          "itc/broken/ is not installed by default")
    check(os.path.isfile(os.path.join(prefix, "lib", "cmake", "itc", "itcConfigVersion.cmake")),
          "itcConfig.cmake and itcConfigVersion.cmake are installed")
    # pkg-config, for plain include-path users: a program compiled with its flags alone.
    if shutil.which("pkg-config"):
        env = {**os.environ, "PKG_CONFIG_PATH": os.path.join(prefix, "share", "pkgconfig")}
        r = subprocess.run(["pkg-config", "--cflags", "--libs", "itc"], capture_output=True, text=True, env=env)
        flags = r.stdout.split()
        includes = [os.path.normpath(f[2:]) for f in flags if f.startswith("-I")]
        check(r.returncode == 0 and includes == [os.path.join(prefix, "include")], f"pkg-config --cflags itc: {r.stdout.strip()}")
        program = os.path.join(scratch, "pc.cpp")
        with open(program, "w") as f:
            f.write('#include "itc/itc.hpp"\nint main() { itc::Queue<int> q; q.put(1); return q.get() - 1; }\n')
        r = run([args.cxx, *flags, program, "-o", os.path.join(scratch, "pc")])
        check(r.returncode == 0 and run([os.path.join(scratch, "pc")]).returncode == 0,
              "a program built with pkg-config's flags alone compiles and runs")
    verify = os.path.join(prefix, "bin", "itc-verify")
    configure.append(f"-DCMAKE_PREFIX_PATH={prefix}")
else:
    configure.append(f"-DMYBUFFER_ITC_SOURCE={os.path.abspath(args.itc_source)}")
    targets.append("itc-verify")
    verify = os.path.join(build, "itc", "verify", "itc-verify")

r = run(configure)
must(r, f"the project configures ({args.mode})")
check("GTest" not in r.stdout + r.stderr or args.mode == "find_package", "configuring needs no GoogleTest")

# `all` holds nothing of itc's own: its tests, examples, itc-model/itc-stress are not targets.
r = run(["cmake", "--build", build, "--target", "help"])
own = [t for t in ("itc_primitives_tests", "itc-model", "itc-stress", "queue_producer_consumer")
       if re.search(rf"^\S*\b{re.escape(t)}\b", r.stdout, re.M)]
check(not own, f"itc's own targets are not built as part of the project (found: {own})")

r = run(["cmake", "--build", build, "-j1", "--target", *targets], timeout=900)
must(r, "mybuffer-model, mybuffer-stress, mybuffer-tsan build" + (" (and itc-verify)" if len(targets) > 3 else ""))
checkers = os.path.join(build, "mybuffer")
for t in targets[:3]:
    check(os.access(os.path.join(build, t), os.X_OK), f"{t} is in the project's build folder")
check(os.access(verify, os.X_OK), f"itc-verify is at {verify}")

# Each checker names itself and the version of itc it was built from (installed or not).
for t in targets[:3]:
    r = run([os.path.join(build, t), "--version"])
    check(r.returncode == 0 and re.fullmatch(re.escape(t) + r" \(itc\) \d+\.\d+\.\d+\n", r.stdout),
          f"{t} --version: {r.stdout.strip()}")

# The tsan checker is a TSan build; the plain runner is not.
info = run([checkers + "-tsan", "info"])
check("checker      tsan" in info.stdout, "mybuffer-tsan says it is the tsan checker")
check(f"source-root  {project}" in info.stdout, "its source root is the project's root")

# ctest works although only the checkers were built (generated test lists are optional).
r = run(["ctest", "-N"], cwd=build)
check(r.returncode == 0 and "mybuffer.model.mybuffer/peeking_try_take.bound" in r.stdout,
      "ctest -N lists the generated tests of the built checkers")

# The matrix, with the global option after the subcommand.
reports = os.path.join(scratch, "reports")
r = run([verify, "matrix", "--checkers", checkers, "--report-dir", reports], cwd=scratch, timeout=600)
print(r.stdout)
check(r.returncode == 0 and "every cell matches (9 cells)" in r.stdout, "the matrix: every cell matches")
# The README's table is what the matrix prints (runs of spaces match any run): the race's
# stress cell, for one, is a pass that says which expectation it matched, `pass (—)`.
readme = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "own_scenario", "README.md"),
              encoding="utf-8").read()
shown = readme[readme.index("itc-verify matrix --checkers build/mybuffer"):]
shown = shown[shown.index("```\nscenario") + 4:]
shown = [l for l in shown[:shown.index("```")].splitlines() if l.strip()]
# Times to detection ("0.00s") vary from run to run: any time matches any.
def table_line(line):
    return re.sub(r"\b\d+\.\d+s\b", "<time>", " ".join(line.split()))
printed = {table_line(l) for l in r.stdout.splitlines()}
missing = [l for l in shown if table_line(l) not in printed]
check(len(shown) == 4 and not missing,
      f"the matrix prints the table examples/own_scenario/README.md shows ({len(shown)} lines; not printed: {missing}):\n"
      + r.stdout[:1500])
results = json.load(open(os.path.join(reports, "results.json")))
cells = {(c["id"], c["checker"]): c for c in results["cells"]}
race_model = cells.get(("mybuffer/peeking_try_take", "model"), {})
race_tsan = cells.get(("mybuffer/peeking_try_take", "tsan"), {})
check(race_model.get("verdict") == "data_race" and race_tsan.get("verdict") == "data_race",
      "the model checker and TSan find the unlocked peek")

user_file = "mylib/bounded_buffer.hpp"
steps = [s for s in race_model.get("trace", []) if s["location"].startswith(user_file + ":")]
check(len({s["thread"] for s in steps}) >= 2,
      f"the trace shows steps of both threads in {user_file} ({len(steps)} steps, threads "
      f"{sorted({s['thread'] for s in steps})})")
check(any(s["location"].startswith("itc/") or s["location"].startswith("primitives/")
          for s in race_model.get("trace", [])), "itc's own steps stay in the trace too")

with open(os.path.join(project, user_file)) as f:
    source_lines = f.read().splitlines()
defect_lines = {i + 1 for i, line in enumerate(source_lines) if "DEFECT" in line}
# TSan reports whichever of the two racing accesses came second: the peek or put()'s write.
race_lines = {i + 1 for i, line in enumerate(source_lines) if "items_." in line}
sarif = json.load(open(os.path.join(reports, "results.sarif")))
locations = {}
for res in sarif["runs"][0]["results"]:
    loc = res["locations"][0]["physicalLocation"]
    locations[(res["ruleId"], res["properties"]["checker"])] = (loc["artifactLocation"]["uri"],
                                                               loc["region"]["startLine"])
for k in ("model", "tsan"):
    uri, line = locations.get(("mybuffer/peeking_try_take", k), ("", 0))
    check(uri == user_file and os.path.isfile(os.path.join(project, uri)),
          f"SARIF ({k}): the result points at {user_file}, relative to the project root (got {uri}:{line})")
    if k == "model":
        check(line in defect_lines, f"SARIF (model): at the defect's line {sorted(defect_lines)} (got {line})")
    else:
        check(line in race_lines, f"SARIF (tsan): at one of the racing accesses {sorted(race_lines)} (got {line})")

# The replay and re-run lines, pasted into a shell somewhere else, run the project's binaries.
elsewhere = os.path.join(scratch, "elsewhere")
os.makedirs(elsewhere)
replay = race_model.get("replay", "")
check(replay.startswith(checkers + "-model run mybuffer/peeking_try_take"), f"replay line names mybuffer-model: {replay}")
r = run(replay, cwd=elsewhere, shell=True)
check(re.search(r"^verdict\s+data_race", r.stdout, re.M) and "executions 1 " in r.stdout,
      "the pasted replay line reproduces the race in one execution")
rerun = race_tsan.get("replay", "")
check(rerun.startswith(checkers + "-tsan run mybuffer/peeking_try_take --seed 1 "), f"re-run line names mybuffer-tsan and seed 1: {rerun}")
r = run(rerun, cwd=elsewhere, shell=True)
check(re.search(r"^verdict\s+data_race", r.stdout, re.M), "the pasted re-run line finds the race again")

# A plain stress runner is not a tsan checker: one line, exit 2, nothing written.
bad_reports = os.path.join(scratch, "bad-reports")
r = run([verify, "--checkers", checkers, "--tsan-bin", checkers + "-stress", "matrix", "--report-dir", bad_reports],
        cwd=scratch)
check(r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "ThreadSanitizer" in r.stderr
      and not os.path.exists(bad_reports), f"--tsan-bin <plain runner> is refused: {r.stderr.strip()}")

# Without checkers (a subproject's itc-verify has no itc catalog of its own): one line, exit 2.
if args.mode == "add_subdirectory":
    r = run([verify, "list"], cwd=elsewhere)
    check(r.returncode == 2 and "--checkers" in r.stderr and len(r.stderr.strip().splitlines()) == 1,
          f"itc-verify without checkers says how to name them: {r.stderr.strip()}")

# compare and explain find the project's sources.
r = run([verify, "compare", "mybuffer/correct", "mybuffer/peeking_try_take", "--checkers", checkers], cwd=elsewhere)
check(r.returncode == 0 and "source not found" not in r.stdout and "BoundedBufferPeekingTryTake" in r.stdout,
      "compare shows the two scenario definitions from the project's files")
r = run([verify, "explain", "mybuffer/peeking_try_take", "--checkers", checkers], cwd=elsewhere)
check(r.returncode == 0 and f"source   {user_file}\n" in r.stdout, "explain names the source relative to the project")
r = run([verify, "explain", "mybuffer/handoff", "--checkers", checkers], cwd=elsewhere)
check(r.returncode == 0 and "source   checks/buffer_scenarios.hpp\n" in r.stdout,
      "a scenario that leaves .source out is sourced at its own file, relative to the project")

print(f"consumer test ({args.mode}): {time.monotonic() - t_start:.0f} s")
if failures:
    print(f"{len(failures)} check(s) failed:", *failures, sep="\n  ")
    sys.exit(1)
