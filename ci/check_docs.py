#!/usr/bin/env python3
"""Docs that run: the READMEs may not drift from the programs they describe.

1. No README refers to files outside the repository or to a machine's absolute paths: a cloner
   has neither. A relative path that climbs (`../x`) must stay inside the repository once resolved
   from the README's folder; an absolute path must start in a standard system folder (/usr, /etc,
   /tmp, ...), since any other top folder is some machine's own layout.
2. Every program path `build/gcc/...` a README names exists in this build tree (the gcc preset's),
   so a renamed or moved binary (build/gcc/models/itc-model) fails here.
3. Every fenced example that shows a command as `$ <command>` followed by its output is run (from
   the source folder, with build/gcc/ meaning this build tree), and every output line it shows
   must be one of the lines the command prints: "..." stands for any text, runs of spaces match
   any run. Shown file:line locations and verdicts are therefore exactly what the code prints.

usage: check_docs.py <source dir> <gcc build dir>
"""
import os
import re
import subprocess
import sys

SOURCE, BUILD = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def readmes():
    try:
        names = subprocess.run(["git", "ls-files", "*.md"], cwd=SOURCE, capture_output=True, text=True,
                               check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        names = [os.path.relpath(os.path.join(d, f), SOURCE) for d, _, fs in os.walk(SOURCE)
                 if "/build" not in d and "/.git" not in d for f in fs if f.endswith(".md")]
    return sorted(names)


# Top folders of a standard Linux system: an absolute path under one of them is the same on a
# cloner's machine.
SYSTEM_FOLDERS = {"usr", "etc", "tmp", "dev", "proc", "sys", "bin", "sbin", "lib", "lib64", "opt", "var", "run"}


def line_pattern(expected):
    """The expected line as a regex: "..." matches anything, a run of spaces any run of spaces."""
    parts = [r"\s+".join(re.escape(word) for word in part.split()) for part in expected.strip().split("...")]
    return re.compile("^" + ".*".join(parts) + "$")


for name in readmes():
    text = open(os.path.join(SOURCE, name), encoding="utf-8").read()
    # 1. nothing outside the repository
    outside = []
    for rel in re.findall(r"(?<![\w./])(?:\.\./)+[\w.-]+", text):
        resolved = os.path.realpath(os.path.join(SOURCE, os.path.dirname(name), rel))
        if os.path.commonpath([resolved, os.path.realpath(SOURCE)]) != os.path.realpath(SOURCE):
            outside.append(rel)
    for absolute in re.findall(r"(?<![\w.:/~-])/([A-Za-z][\w.-]*)/[\w./-]+", text):
        if absolute not in SYSTEM_FOLDERS:
            outside.append("/" + absolute + "/...")
    outside = sorted(set(outside))
    check(not outside, f"{name}: refers to no file outside the repository {outside if outside else ''}")
    # 2. program paths in this tree
    # (A folder a run writes "into" is not a program: it exists only after that run.)
    for path in sorted(set(re.findall(r"(?<![\w/])(?<!into `)build/gcc/[\w./+-]+", text))):
        path = path.rstrip(".,")
        if "..." in path or path.endswith("/"):
            continue
        check(os.path.exists(os.path.join(BUILD, path[len("build/gcc/"):])), f"{name}: {path} exists")
    # 3. shown commands and their output
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.S):
        lines = block.splitlines()
        # Only the project's own programs are run (never an installer or a long build).
        commands = [i for i, l in enumerate(lines) if l.startswith("$ build/")]
        starts = [i for i, l in enumerate(lines) if l.startswith("$ ")]
        for i in commands:
            command = lines[i][2:].replace("build/gcc/", BUILD + "/")
            end = min([j for j in starts if j > i] + [len(lines)])
            expected = [l for l in lines[i + 1:end] if l.strip()]
            r = subprocess.run(["bash", "-c", command], cwd=SOURCE, capture_output=True, text=True, timeout=300)
            actual = [l.strip() for l in (r.stdout + r.stderr).splitlines()]
            missing = [e for e in expected if not any(line_pattern(e).match(a) for a in actual)]
            check(r.returncode in (0, 1) and not missing,
                  f"{name}: `{lines[i][2:]}` prints what the README shows (exit {r.returncode})"
                  + "".join(f"\n       not printed: {m.strip()}" for m in missing))

print(f"\n{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
