#!/usr/bin/env python3
"""run_bench.py — runs itc's benchmarks in interleaved rounds and writes paired-ratio tables and plots.

    run_bench.py [--bin-dir DIR] [--out DIR] [--rounds N] [--min-time S] [--python PATH]
                 [--groups G,...] [--cputime-ms MS] [--wait-idle S] [--readme PATH] [--smoke]

Method (interleaved rounds and paired ratios, on Google Benchmark):
  * The work is cut into units: one benchmark group ("queue/spsc", "event/pingpong", ...) of one
    C++ binary, or the same group in pybench.py. Each round runs every unit once, in a fresh
    process, in a shuffled order; inside a C++ unit Google Benchmark shuffles the benchmarks too
    (--benchmark_enable_random_interleaving). So every implementation is measured once per round,
    close in time to the others, and slow drift of the machine hits all of them alike.
  * Paired ratios: for each round, speed(impl) / speed(reference) from that same round; the
    tables give the median of those per-round ratios and their min..max. Trust them more than the
    absolute figures, which move with the machine.
  * Multi-threaded benchmarks are timed on the wall clock; single-threaded ones (queue/st,
    lock/uncontended, cond/notify_no_waiters) on the thread's CPU clock, which a busy machine
    disturbs less. Every C++ process has a second, parked thread (bench_main.cpp).
  * Noise control: for each unit, the CPU time other processes used meanwhile is measured
    (/proc/stat minus this script's children); a unit disturbed by more than --quiet (10 %) of
    the CPUs is measured again, up to --retries (2) times, and --wait-idle S waits up to S seconds
    before each unit for the machine to go quiet. The report says how disturbed the run was.
  * The CPU-time check (itc-bench-cputime) runs once at the end.
Outputs in --out: report.md, results.json, throughput.png, latency.png (plots need matplotlib).
--readme replaces the block between the bench-results markers of that file with the machine,
the targets and the summary tables. Exit status 1 if a benchmark failed (wrong checksum, crash).
"""
import argparse
import datetime
import hashlib
import json
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
BINARIES = ["itc-bench-queue", "itc-bench-event", "itc-bench-lock", "itc-bench-sync"]

# The reference implementation of each group: the "speed vs" column.
BASELINE = {
    "queue/spsc": "std", "queue/spsc_b1024": "std", "queue/mpmc": "std", "queue/mpmc_b1024": "std",
    "queue/st": "std", "event/pingpong": "cv_event", "lock/uncontended": "std_mutex",
    "lock/contended": "std_mutex", "cond/notify_no_waiters": "std_condvar", "cond/pingpong": "std_condvar",
    "barrier/round2": "cv_barrier",
}
GROUP_TITLE = {
    "queue/spsc": "Queue throughput, 1 producer / 1 consumer, unbounded (items)",
    "queue/spsc_b1024": "Queue throughput, 1 producer / 1 consumer, maxsize 1024 (items)",
    "queue/mpmc": "Queue throughput, 2 producers / 2 consumers, unbounded (items)",
    "queue/mpmc_b1024": "Queue throughput, 2 producers / 2 consumers, maxsize 1024 (items)",
    "queue/st": "One thread, put() then get(): the uncontended floor of a hand-off (put+get pairs, CPU time)",
    "event/pingpong": "Event ping-pong between two threads (round trips)",
    "lock/uncontended": "Uncontended acquire/release, second thread parked (pairs, CPU time)",
    "lock/contended": "Contended: 2 threads hammering one lock (pairs, total over both threads)",
    "cond/notify_no_waiters": "Condition notify() with the lock held and no waiter (calls, CPU time)",
    "cond/pingpong": "Condition ping-pong: notify with a waiter (round trips)",
    "barrier/round2": "Barrier, 2 parties (rounds)",
}
GROUP_ORDER = list(GROUP_TITLE)
WHAT = {
    "itc_queue": "itc::Queue put/get",
    "itc_queue_td": "itc::Queue, consumer get()+task_done(), producer join()",
    "itc_simplequeue": "itc::SimpleQueue put/get",
    "std": "textbook std::deque+std::mutex+std::condition_variable (notify under lock, like CPython)",
    "std_td": "textbook, consumer get()+task_done(), producer join()",
    "moody": "moodycamel::BlockingConcurrentQueue enqueue/wait_dequeue (no tokens)",
    "moody_tok": "moodycamel::BlockingConcurrentQueue with Producer/ConsumerToken",
    "tbb": "tbb::concurrent_bounded_queue push/pop (set_capacity when bounded)",
    "py_queue": "Python queue.Queue put/get",
    "py_queue_td": "Python queue.Queue get+task_done, producer join()",
    "py_simplequeue": "Python queue.SimpleQueue (C implementation)",
    "itc_event": "itc::Event set/wait/clear",
    "cv_event": "textbook Event: std::mutex+std::condition_variable+bool (CPython's design)",
    "atomic_wait": "C++20 std::atomic<int>::wait/notify_one",
    "binary_semaphore": "std::binary_semaphore pair",
    "itc_semaphore": "itc::Semaphore",
    "spin": "HARDWARE LIMIT: two atomics, pure spin",
    "spin_pause": "HARDWARE LIMIT: two atomics, spin with pause",
    "py_event": "Python threading.Event pair",
    "itc_lock": "itc::Lock",
    "itc_rlock": "itc::RLock",
    "itc_bounded_semaphore": "itc::BoundedSemaphore",
    "std_mutex": "std::mutex",
    "std_recursive_mutex": "std::recursive_mutex",
    "std_counting_semaphore": "std::counting_semaphore<> (libstdc++)",
    "std_binary_semaphore": "std::binary_semaphore (libstdc++)",
    "py_lock": "Python threading.Lock",
    "py_rlock": "Python threading.RLock",
    "py_semaphore": "Python threading.Semaphore",
    "py_bounded_semaphore": "Python threading.BoundedSemaphore",
    "itc_condition": "itc::Condition() (owns an itc::RLock)",
    "itc_condition_lock": "itc::Condition over an itc::Lock",
    "std_condvar": "std::condition_variable + std::mutex",
    "py_condition": "Python threading.Condition()",
    "itc_barrier": "itc::Barrier(2)",
    "std_barrier": "C++20 std::barrier<>",
    "cv_barrier": "textbook mutex+condvar+generation barrier",
    "py_barrier": "Python threading.Barrier(2)",
}
# (text, group, impl, reference, kind, threshold). kind "speed": speed(impl)/speed(ref) >= threshold;
# kind "time": time(impl)/time(ref) <= threshold. ref "SPIN_LIMIT" = the faster of spin/spin_pause.
TARGETS = [
    ("itc::Queue 1P/1C ≥ 1.5× textbook queue", "queue/spsc", "itc_queue", "std", "speed", 1.5),
    ("… same, bounded (maxsize 1024)", "queue/spsc_b1024", "itc_queue", "std", "speed", 1.5),
    ("itc::Queue 1P/1C ≥ 1.0× moodycamel::BlockingConcurrentQueue", "queue/spsc", "itc_queue", "moody", "speed", 1.0),
    ("itc::Queue 1P/1C ≥ Python queue.SimpleQueue (C)", "queue/spsc", "itc_queue", "py_simplequeue", "speed", 1.0),
    ("itc::Queue 1P/1C ≥ 40× Python queue.Queue", "queue/spsc", "itc_queue", "py_queue", "speed", 40.0),
    ("… same, bounded (maxsize 1024)", "queue/spsc_b1024", "itc_queue", "py_queue", "speed", 40.0),
    ("itc::Queue 2P/2C ≥ 1.0× moodycamel (no tokens)", "queue/mpmc", "itc_queue", "moody", "speed", 1.0),
    ("itc::Event ping-pong ≤ 3× the spinning limit", "event/pingpong", "itc_event", "SPIN_LIMIT", "time", 3.0),
    ("uncontended itc::Lock ≤ 1.1× std::mutex (time)", "lock/uncontended", "itc_lock", "std_mutex", "time", 1.1),
    ("itc::Semaphore ≥ 10× std::counting_semaphore", "lock/uncontended", "itc_semaphore", "std_counting_semaphore",
     "speed", 10.0),
]
# Further paired comparisons: (title, group, impl, reference).
COMPARISONS = [
    ("task_done()/join() accounting, itc::Queue 1P/1C", "queue/spsc", "itc_queue_td", "itc_queue"),
    ("task_done()/join() accounting, itc::Queue 1P/1C bounded", "queue/spsc_b1024", "itc_queue_td", "itc_queue"),
    ("task_done()/join() accounting, itc::Queue 2P/2C", "queue/mpmc", "itc_queue_td", "itc_queue"),
    ("task_done()/join() accounting, itc::Queue 2P/2C bounded", "queue/mpmc_b1024", "itc_queue_td", "itc_queue"),
    ("task_done()/join() accounting, itc::Queue one thread", "queue/st", "itc_queue_td", "itc_queue"),
    ("task_done()/join() accounting, textbook 1P/1C", "queue/spsc", "std_td", "std"),
    ("task_done()/join() accounting, textbook one thread", "queue/st", "std_td", "std"),
    ("task_done()/join() accounting, Python queue.Queue 1P/1C", "queue/spsc", "py_queue_td", "py_queue"),
    ("itc::Queue 1P/1C vs tbb::concurrent_bounded_queue", "queue/spsc", "itc_queue", "tbb"),
    ("itc::Queue 1P/1C bounded vs tbb (capacity 1024)", "queue/spsc_b1024", "itc_queue", "tbb"),
    ("itc::Queue 2P/2C vs textbook", "queue/mpmc", "itc_queue", "std"),
    ("itc::Queue 2P/2C vs moodycamel with tokens", "queue/mpmc", "itc_queue", "moody_tok"),
    ("itc::Queue 2P/2C vs Python queue.Queue", "queue/mpmc", "itc_queue", "py_queue"),
    ("itc::Queue 2P/2C bounded vs textbook", "queue/mpmc_b1024", "itc_queue", "std"),
    ("itc::SimpleQueue 1P/1C vs Python queue.SimpleQueue", "queue/spsc", "itc_simplequeue", "py_simplequeue"),
    ("itc::SimpleQueue 1P/1C vs moodycamel", "queue/spsc", "itc_simplequeue", "moody"),
    ("itc::Queue one thread vs textbook", "queue/st", "itc_queue", "std"),
    ("itc::Event ping-pong vs textbook condvar event", "event/pingpong", "itc_event", "cv_event"),
    ("itc::Event ping-pong vs std::atomic wait/notify", "event/pingpong", "itc_event", "atomic_wait"),
    ("itc::Event ping-pong vs Python threading.Event", "event/pingpong", "itc_event", "py_event"),
    ("uncontended itc::RLock vs std::recursive_mutex", "lock/uncontended", "itc_rlock", "std_recursive_mutex"),
    ("uncontended itc::BoundedSemaphore vs std::counting_semaphore", "lock/uncontended", "itc_bounded_semaphore",
     "std_counting_semaphore"),
    ("contended itc::Lock vs std::mutex", "lock/contended", "itc_lock", "std_mutex"),
    ("contended itc::RLock vs std::recursive_mutex", "lock/contended", "itc_rlock", "std_recursive_mutex"),
    ("contended itc::Semaphore vs std::counting_semaphore", "lock/contended", "itc_semaphore", "std_counting_semaphore"),
    ("contended itc::BoundedSemaphore vs std::counting_semaphore", "lock/contended", "itc_bounded_semaphore",
     "std_counting_semaphore"),
    ("Condition notify, no waiter: itc vs std::condition_variable", "cond/notify_no_waiters", "itc_condition",
     "std_condvar"),
    ("Condition ping-pong (notify with a waiter): itc vs std", "cond/pingpong", "itc_condition", "std_condvar"),
    ("Barrier round: itc vs textbook", "barrier/round2", "itc_barrier", "cv_barrier"),
    ("Barrier round: itc vs std::barrier", "barrier/round2", "itc_barrier", "std_barrier"),
]
SUFFIX = re.compile(r"(/(manual_time|real_time|process_time|threads:\d+|iterations:\d+|min_time:[\d.]+))+$")


def log(msg):
    print(f"[run_bench] {msg}", file=sys.stderr, flush=True)


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception:  # noqa: BLE001 - machine facts are best effort
        return ""


# ── the machine ────────────────────────────────────────────────────────────────────────────────

def read(path):
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


def machine_info(bin_dir, python):
    lscpu = {}
    for line in sh("LC_ALL=C lscpu").splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            lscpu[k.strip()] = v.strip()
    cache = read(Path(bin_dir).parent.parent / "CMakeCache.txt") if Path(bin_dir).parent.parent.exists() else ""
    cxx = re.search(r"^CMAKE_CXX_COMPILER:\w+=(.*)$", cache, re.M)
    build_type = re.search(r"^CMAKE_BUILD_TYPE:\w+=(.*)$", cache, re.M)
    cxx_path = cxx.group(1) if cxx else "g++"
    lib_hash = hashlib.sha256()
    for f in sorted((REPO / "primitives/include").rglob("*.hpp")):
        lib_hash.update(f.relative_to(REPO).as_posix().encode() + b"\0" + f.read_bytes())
    pkgs = sh("dpkg-query -W -f='${Package} ${Version}\\n' libbenchmark-dev libconcurrentqueue-dev libtbb-dev "
              "2>/dev/null")
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": lscpu.get("Model name", "?"),
        "vendor": lscpu.get("Vendor ID", "?"),
        "family_model": f"family {lscpu.get('CPU family', '?')} model {lscpu.get('Model', '?')}",
        "cpus": lscpu.get("CPU(s)", "?"),
        "nproc": sh("nproc"),
        "threads_per_core": lscpu.get("Thread(s) per core", "?"),
        "cores_per_socket": lscpu.get("Core(s) per socket", "?"),
        "sockets": lscpu.get("Socket(s)", "?"),
        "bogomips": lscpu.get("BogoMIPS", "?"),
        "caches": ", ".join(f"{k} {lscpu[k]}" for k in ("L1d cache", "L2 cache", "L3 cache") if k in lscpu),
        "hypervisor": lscpu.get("Hypervisor vendor", "none"),
        "kernel": sh("uname -r"),
        "cpuidle": read("/sys/devices/system/cpu/cpuidle/current_driver") or "?",
        "guest_halt_poll_ns": read("/sys/module/haltpoll/parameters/guest_halt_poll_ns") or "n/a",
        "smt_active": read("/sys/devices/system/cpu/smt/active") or "?",
        "compiler": (sh(f"{cxx_path} --version").splitlines() or ["?"])[0],
        "build_type": build_type.group(1) if build_type else "?",
        "glibc": (sh("ldd --version").splitlines() or ["?"])[0],
        "python": f"{python}: " + sh(f"{python} -c 'import sys; print(sys.version.split()[0])'"),
        "packages": "; ".join(pkgs.splitlines()),
        "git": sh(f"git -C {REPO} describe --always --dirty") or "?",
        "library_sha256": lib_hash.hexdigest()[:16],
    }


def cpu_jiffies():
    """(busy, total) jiffies of all CPUs from /proc/stat."""
    v = [int(x) for x in read("/proc/stat").splitlines()[0].split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    return sum(v) - idle, sum(v)


def cpu_busy(seconds=1.0):
    """Fraction of all CPUs' time spent non-idle over `seconds` (while this script sleeps)."""
    try:
        b0, t0 = cpu_jiffies()
        time.sleep(seconds)
        b1, t1 = cpu_jiffies()
        return max(0.0, (b1 - b0) / max(1, t1 - t0))
    except (IndexError, ValueError):
        return float("nan")


class ForeignCpu:
    """Measures the CPU time that *other* processes used while one unit ran: all CPUs' busy time
    (/proc/stat) minus the CPU time of the children this script waited for, as a fraction of
    (wall time x CPUs). A unit that ran next to someone else's build shows up here."""

    def __enter__(self):
        import resource
        self._res = resource
        self.b0, self.t0 = cpu_jiffies()
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.c0 = ru.ru_utime + ru.ru_stime
        return self

    def __exit__(self, *exc):
        b1, t1 = cpu_jiffies()
        ru = self._res.getrusage(self._res.RUSAGE_CHILDREN)
        tick = os.sysconf("SC_CLK_TCK")
        busy_s = (b1 - self.b0) / tick
        total_s = max(1e-9, (t1 - self.t0) / tick)
        self.fraction = max(0.0, busy_s - (ru.ru_utime + ru.ru_stime - self.c0)) / total_s
        return False


def wait_quiet(budget_s, threshold, what):
    """Waits up to budget_s for other processes to use less than `threshold` of the CPUs."""
    deadline = time.time() + budget_s
    b = cpu_busy(0.3)
    while b > threshold and time.time() < deadline:
        log(f"{what}: other processes use {b:.0%} of the CPUs; waiting")
        time.sleep(3)
        b = cpu_busy(0.5)
    return b


# ── running ────────────────────────────────────────────────────────────────────────────────────

def list_cpp_groups(binary):
    out = subprocess.run([str(binary), "--benchmark_list_tests=true"], capture_output=True, text=True, check=True)
    groups = []
    for line in out.stdout.split():
        name = SUFFIX.sub("", line.strip())
        g = name.rsplit("/", 1)[0]
        if g not in groups:
            groups.append(g)
    return groups


def run_cpp(binary, group, min_time):
    cmd = [str(binary), f"--benchmark_filter=^{re.escape(group)}/", "--benchmark_repetitions=1",
           "--benchmark_enable_random_interleaving=true", f"--benchmark_min_time={min_time}",
           "--benchmark_format=json"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    results, errors = {}, []
    try:
        data = json.loads(p.stdout)
    except json.JSONDecodeError:
        return {}, [f"{binary.name} {group}: exit {p.returncode}, no JSON output: {p.stderr.strip()[-500:]}"]
    for b in data.get("benchmarks", []):
        name = SUFFIX.sub("", b.get("run_name", b["name"]))
        if b.get("error_occurred"):
            errors.append(f"{name}: {b.get('error_message', 'error')}")
            continue
        if b.get("run_type", "iteration") != "iteration":
            continue
        ips = b.get("items_per_second")
        if ips:
            results[name] = 1e9 / ips
    if p.returncode != 0:
        errors.append(f"{binary.name} {group}: exit status {p.returncode}: {p.stderr.strip()[-500:]}")
    return results, errors


def run_python(python, group, smoke, seed):
    cmd = [python, str(HERE / "pybench.py"), f"{group}/", "--seed", str(seed)] + (["--smoke"] if smoke else [])
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    results, errors = {}, []
    for line in p.stdout.splitlines():
        try:
            r = json.loads(line)
        except json.JSONDecodeError:
            continue
        results[r["name"]] = r["ns_per_unit"]
    if p.returncode != 0:
        errors.append(f"pybench {group}: exit status {p.returncode}: {p.stderr.strip()[-500:]}")
    return results, errors


def run_cputime(bin_dir, block_ms):
    binary = Path(bin_dir) / "itc-bench-cputime"
    if not binary.exists():
        return [], [f"{binary} not found"]
    p = subprocess.run([str(binary), f"--block-ms={block_ms}"], capture_output=True, text=True, timeout=600)
    rows = [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]
    return rows, ([] if p.returncode == 0 else [f"itc-bench-cputime: exit status {p.returncode}: {p.stderr}"])


# ── statistics ────────────────────────────────────────────────────────────────────────────────

def per_round(samples, name):
    return samples.get(name, {})


def ref_series(samples, group, ref):
    """Per-round ns of the reference; SPIN_LIMIT = the faster of the two spin ping-pongs."""
    if ref == "SPIN_LIMIT":
        a, b = samples.get(f"{group}/spin", {}), samples.get(f"{group}/spin_pause", {})
        return {r: min(v for v in (a.get(r), b.get(r)) if v is not None) for r in set(a) | set(b)}
    return samples.get(f"{group}/{ref}", {})


def paired(samples, group, impl, ref):
    """Per-round speed ratios speed(impl)/speed(ref) = ns(ref)/ns(impl) over the rounds both ran."""
    a, b = samples.get(f"{group}/{impl}", {}), ref_series(samples, group, ref)
    return [b[r] / a[r] for r in sorted(set(a) & set(b)) if a[r] > 0]


def summary(values):
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def fmt(x, digits=3):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if x == 0:
        return "0"
    mag = math.floor(math.log10(abs(x)))
    if mag >= digits - 1:
        return f"{x:,.0f}"
    return f"{x:.{digits - 1 - mag}f}"


def ratio_cell(s, invert=False):
    if s is None:
        return "n/a"
    if invert:
        return f"{fmt(1 / s['median'])}× ({fmt(1 / s['max'])}..{fmt(1 / s['min'])})"
    return f"{fmt(s['median'])}× ({fmt(s['min'])}..{fmt(s['max'])})"


# ── the report ────────────────────────────────────────────────────────────────────────────────

def impls_of(samples, group):
    names = [n.rsplit("/", 1)[1] for n in samples if n.rsplit("/", 1)[0] == group]
    base = BASELINE.get(group)
    order = {w: i for i, w in enumerate(WHAT)}
    return sorted(names, key=lambda n: (n != base, order.get(n, 999), n))


def group_table(samples, group):
    base = BASELINE.get(group)
    spin = group == "event/pingpong"
    head = ["impl", "what", "rounds", "median ns/unit", "min", "max", "M units/s", f"speed vs {base} (paired)"]
    if spin:
        head.append("× spin limit (paired time ratio)")
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for impl in impls_of(samples, group):
        vals = list(samples[f"{group}/{impl}"].values())
        s = summary(vals)
        cells = [impl, WHAT.get(impl, ""), str(s["n"]), fmt(s["median"]), fmt(s["min"]), fmt(s["max"]),
                 fmt(1e3 / s["median"])]
        cells.append("1 (reference)" if impl == base else ratio_cell(summary(paired(samples, group, impl, base))))
        if spin:
            lim = summary(paired(samples, group, impl, "SPIN_LIMIT"))
            cells.append("n/a" if lim is None else f"{fmt(1 / lim['median'])}")
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def evaluate_targets(samples):
    out = []
    for text, group, impl, ref, kind, threshold in TARGETS:
        ratios = paired(samples, group, impl, ref)
        s = summary(ratios)
        if s is None:
            missing = [n for n in (impl, ref) if n != "SPIN_LIMIT" and f"{group}/{n}" not in samples]
            out.append({"target": text, "group": group, "impl": impl, "ref": ref, "kind": kind,
                        "threshold": threshold, "measured": None, "met": None,
                        "note": f"not measured ({', '.join(missing) or ref} missing)"})
            continue
        if kind == "speed":
            value, lo, hi = s["median"], s["min"], s["max"]
            met = value >= threshold
            rounds_met = sum(r >= threshold for r in ratios)
        else:  # time ratio = 1 / speed ratio
            value, lo, hi = 1 / s["median"], 1 / s["max"], 1 / s["min"]
            met = value <= threshold
            rounds_met = sum(1 / r <= threshold for r in ratios)
        gap = value / threshold if kind == "speed" else threshold / value
        out.append({"target": text, "group": group, "impl": impl, "ref": ref, "kind": kind, "threshold": threshold,
                    "measured": value, "min": lo, "max": hi, "met": met, "rounds_met": rounds_met,
                    "rounds": len(ratios), "gap": gap})
    return out


def targets_table(targets):
    rows = ["| target | measured (paired median, min..max) | met? | rounds meeting it | how far (measured / needed) |",
            "|---|---|---|---|---|"]
    for t in targets:
        if t["measured"] is None:
            rows.append(f"| {t['target']} | {t['note']} | n/a | | |")
            continue
        unit = "× speed" if t["kind"] == "speed" else "× time"
        rows.append(f"| {t['target']} | {fmt(t['measured'])}{unit} ({fmt(t['min'])}..{fmt(t['max'])}) | "
                    f"{'**yes**' if t['met'] else '**no**'} | {t['rounds_met']}/{t['rounds']} | {fmt(t['gap'])} |")
    return "\n".join(rows)


def comparisons_table(samples):
    rows = ["| comparison | group | speed ratio (paired median, min..max; > 1 = first is faster) |", "|---|---|---|"]
    for title, group, impl, ref in COMPARISONS:
        s = summary(paired(samples, group, impl, ref))
        if s is not None:
            rows.append(f"| {title} ({impl} / {ref}) | {group} | {ratio_cell(s)} |")
    return "\n".join(rows)


def cputime_table(rows):
    if not rows:
        return "(not run)"
    out = ["| blocked in | wall ms | CPU µs while blocked | CPU % of wall | voluntary / involuntary switches |",
           "|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r['name']} | {fmt(r['wall_ms'])} | {fmt(r['cpu_us'])} | {r['cpu_percent']:.3f} | "
                   f"{r['voluntary_switches']} / {r['involuntary_switches']} |")
    return "\n".join(out)


def machine_block(m, meta):
    return "\n".join([
        f"- Date: {m['date']}; git `{m['git']}`; library headers sha256 `{m['library_sha256']}` "
        f"(primitives/include, as measured)",
        f"- CPU: {m['cpu']} ({m['vendor']}, {m['family_model']}), `nproc` = {m['nproc']}, "
        f"{m['cores_per_socket']} core(s)/socket × {m['sockets']} socket(s), {m['threads_per_core']} thread(s)/core "
        f"(SMT active: {m['smt_active']}), BogoMIPS {m['bogomips']}; {m['caches']}",
        f"- Hypervisor: {m['hypervisor']}; kernel {m['kernel']}; cpuidle `{m['cpuidle']}`, "
        f"guest_halt_poll_ns = {m['guest_halt_poll_ns']}",
        f"- {m['compiler']} ({m['build_type']}); {m['glibc']}; Python {m['python']}",
        f"- Packages: {m['packages'] or 'n/a'}",
        f"- Run: {meta['rounds']} rounds, --benchmark_min_time={meta['min_time']}, {meta['elapsed_s']:.0f} s; "
        f"other processes' CPU use while a unit ran: median {meta['busy_median']:.0%}, max {meta['busy_max']:.0%} "
        f"of {m['nproc']} CPUs; {meta['retried']} unit(s) re-measured, {meta['busy_over_quiet']} of {meta['units']} "
        f"kept above {meta['quiet']:.0%}" + (" — **the machine was busy: treat these figures with care**"
                                              if meta['busy_over_quiet'] > meta['units'] // 10 else ""),
    ])


def write_report(out_dir, samples, targets, cputime, machine, meta, errors, plots):
    parts = [f"# itc benchmarks — {machine['date']}", "", "## Machine", "", machine_block(machine, meta), "",
             "## Targets (paired ratios from this run)", "", targets_table(targets), ""]
    parts += ["## Paired comparisons", "", comparisons_table(samples), ""]
    parts += ["## CPU time of a thread blocked in one call (itc-bench-cputime)", "", cputime_table(cputime), ""]
    parts += ["## Every benchmark", "",
              "ns/unit and M units/s are medians over the rounds; the speed column is the median of the per-round "
              "ratios to the reference measured in the same round (> 1 = faster), with their min..max.", ""]
    for g in GROUP_ORDER + sorted(set(n.rsplit("/", 1)[0] for n in samples) - set(GROUP_ORDER)):
        if any(n.rsplit("/", 1)[0] == g for n in samples):
            parts += [f"### {g} — {GROUP_TITLE.get(g, g)}", "", group_table(samples, g), ""]
    if plots:
        parts += ["## Plots", ""] + [f"![{p}]({p})" for p in plots] + [""]
    if errors:
        parts += ["## Errors", ""] + [f"- {e}" for e in errors] + [""]
    (out_dir / "report.md").write_text("\n".join(parts))


def readme_block(samples, targets, cputime, machine, meta):
    parts = ["<!-- bench-results:begin (written by run_bench.py --readme; do not edit by hand) -->", "",
             "### Machine", "", machine_block(machine, meta), "", "### Targets", "", targets_table(targets), "",
             "### Paired comparisons", "", comparisons_table(samples), "",
             "### CPU time while blocked", "", cputime_table(cputime), "", "### Every benchmark", ""]
    for g in GROUP_ORDER:
        if any(n.rsplit("/", 1)[0] == g for n in samples):
            parts += [f"#### {g} — {GROUP_TITLE[g]}", "", group_table(samples, g), ""]
    parts.append("<!-- bench-results:end -->")
    return "\n".join(parts)


def update_readme(path, block):
    text = Path(path).read_text()
    pat = re.compile(r"<!-- bench-results:begin.*?<!-- bench-results:end -->", re.S)
    if not pat.search(text):
        log(f"{path} has no bench-results markers; not updated")
        return
    Path(path).write_text(pat.sub(lambda _: block, text))
    log(f"updated {path}")


def plot(out_dir, samples):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib not available (python3-matplotlib): no plots")
        return []

    def bars(ax, group, to_value, xlabel):
        impls = impls_of(samples, group)
        med, lo, hi = [], [], []
        for impl in impls:
            v = [to_value(x) for x in samples[f"{group}/{impl}"].values()]
            m = statistics.median(v)
            med.append(m)
            lo.append(m - min(v))
            hi.append(max(v) - m)
        colors = ["tab:red" if i.startswith("itc") else "tab:green" if i.startswith("py_") else
                  "tab:gray" if i.startswith("spin") else "tab:blue" for i in impls]
        ax.barh(range(len(impls)), med, xerr=[lo, hi], color=colors, capsize=3)
        ax.set_yticks(range(len(impls)), impls, fontsize=8)
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.set_title(f"{group}", fontsize=10)
        ax.set_xlabel(xlabel, fontsize=8)
        ax.grid(axis="x", which="both", alpha=0.3)

    written = []
    tgroups = [g for g in ("queue/spsc", "queue/spsc_b1024", "queue/mpmc", "queue/mpmc_b1024")
               if any(n.startswith(g + "/") for n in samples)]
    if tgroups:
        fig, axes = plt.subplots(len(tgroups), 1, figsize=(9, 2.6 * len(tgroups)), squeeze=False)
        for ax, g in zip(axes[:, 0], tgroups):
            bars(ax, g, lambda ns: 1e3 / ns, "M items/s (median, whiskers min..max over rounds; log scale)")
        fig.suptitle("Queue throughput (red: itc, blue: C++ others, green: Python)", fontsize=11)
        fig.tight_layout()
        fig.savefig(out_dir / "throughput.png", dpi=110)
        plt.close(fig)
        written.append("throughput.png")
    lgroups = [g for g in ("event/pingpong", "cond/pingpong", "barrier/round2", "lock/uncontended",
                           "lock/contended", "cond/notify_no_waiters", "queue/st")
               if any(n.startswith(g + "/") for n in samples)]
    if lgroups:
        cols = 2
        nrows = (len(lgroups) + cols - 1) // cols
        fig, axes = plt.subplots(nrows, cols, figsize=(13, 2.9 * nrows), squeeze=False)
        for ax, g in zip(axes.flat, lgroups):
            bars(ax, g, lambda ns: ns, "ns per unit (median, whiskers min..max; log scale)")
        for ax in list(axes.flat)[len(lgroups):]:
            ax.axis("off")
        fig.suptitle("Latency / cost per operation (red: itc, blue: C++ others, green: Python, gray: spin limit)",
                     fontsize=11)
        fig.tight_layout()
        fig.savefig(out_dir / "latency.png", dpi=110)
        plt.close(fig)
        written.append("latency.png")
    return written


# ── main ───────────────────────────────────────────────────────────────────────────────────────

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin-dir", default=str(REPO / "build/bench/stress/bench"), help="where itc-bench-* are")
    ap.add_argument("--out", default=str(REPO / "reports/bench"), help="output directory")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--min-time", type=float, default=0.2, help="Google Benchmark min time per benchmark (s)")
    ap.add_argument("--python", default="/usr/bin/python3" if Path("/usr/bin/python3").exists() else "python3",
                    help="interpreter for pybench.py (default: Debian's /usr/bin/python3)")
    ap.add_argument("--groups", default="", help="comma-separated group prefixes to run (default: all)")
    ap.add_argument("--cputime-ms", type=int, default=1000, help="block time of the CPU-time check (0: skip)")
    ap.add_argument("--wait-idle", type=float, default=0,
                    help="before each unit wait up to this many seconds for other processes to go quiet")
    ap.add_argument("--quiet", type=float, default=0.10,
                    help="a unit during which other processes used more than this fraction of the CPUs is "
                         "measured again (default 0.10)")
    ap.add_argument("--retries", type=int, default=2, help="re-measurements of a disturbed unit (default 2)")
    ap.add_argument("--readme", default="", help="README whose bench-results block to replace")
    ap.add_argument("--smoke", action="store_true", help="one brief round of everything (CTest)")
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    if args.smoke:
        args.rounds, args.min_time, args.cputime_ms = 1, 0.001, 20
    bin_dir, out_dir = Path(args.bin_dir), Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    wanted = [g for g in args.groups.split(",") if g]

    def selected(group):
        return not wanted or any(group == w or group.startswith(w.rstrip("/") + "/") for w in wanted)

    units = []
    for name in BINARIES:
        binary = bin_dir / name
        if not binary.exists():
            log(f"{binary} not built: skipped")
            continue
        units += [("cpp", binary, g) for g in list_cpp_groups(binary) if selected(g)]
    if shutil.which(args.python) or Path(args.python).exists():
        listing = subprocess.run([args.python, str(HERE / "pybench.py"), "--list"], capture_output=True, text=True,
                                 check=True).stdout.split()
        units += [("py", args.python, g) for g in dict.fromkeys(n.rsplit("/", 1)[0] for n in listing) if selected(g)]
    else:
        log(f"python {args.python} not found: Python benchmarks skipped")
    if not units:
        log("nothing to run")
        return 1

    samples, errors, foreign, retried = {}, [], [], 0
    start = time.time()
    for r in range(args.rounds):
        order = units[:]
        rng.shuffle(order)
        log(f"round {r + 1}/{args.rounds}: {len(order)} units")
        for kind, runner, group in order:
            for attempt in range(args.retries + 1):
                if args.wait_idle > 0:
                    wait_quiet(args.wait_idle, args.quiet, f"round {r + 1} {group}")
                with ForeignCpu() as fc:
                    if kind == "cpp":
                        res, errs = run_cpp(runner, group, args.min_time)
                    else:
                        res, errs = run_python(runner, group, args.smoke, rng.randrange(1 << 30))
                if fc.fraction <= args.quiet or attempt == args.retries or args.smoke:
                    break
                retried += 1
                log(f"round {r + 1} {kind} {group}: other processes used {fc.fraction:.0%} of the CPUs "
                    f"meanwhile; measuring it again")
            foreign.append(fc.fraction)
            errors += errs
            for name, ns in res.items():
                samples.setdefault(name, {})[r] = ns
    cputime, errs = ([], []) if args.cputime_ms <= 0 else run_cputime(bin_dir, args.cputime_ms)
    errors += errs
    meta = {"rounds": args.rounds, "min_time": args.min_time, "elapsed_s": time.time() - start,
            "busy_median": statistics.median(foreign) if foreign else float("nan"),
            "busy_max": max(foreign) if foreign else float("nan"),
            "busy_over_quiet": sum(f > args.quiet for f in foreign), "units": len(foreign), "retried": retried,
            "quiet": args.quiet}
    machine = machine_info(bin_dir, args.python)
    targets = evaluate_targets(samples)
    plots = plot(out_dir, samples)
    write_report(out_dir, samples, targets, cputime, machine, meta, errors, plots)
    (out_dir / "results.json").write_text(json.dumps(
        {"machine": machine, "meta": meta, "samples_ns_per_unit_by_round": samples, "targets": targets,
         "cputime": cputime, "errors": errors}, indent=1, default=str))
    if args.readme:
        update_readme(args.readme, readme_block(samples, targets, cputime, machine, meta))
    print(targets_table(targets))
    log(f"report: {out_dir / 'report.md'}")
    for e in errors:
        log(f"ERROR: {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
