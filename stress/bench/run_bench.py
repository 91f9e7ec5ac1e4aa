#!/usr/bin/env python3
"""run_bench.py — runs itc's benchmarks in interleaved rounds and writes paired-ratio tables and plots.

    run_bench.py [--bin-dir DIR] [--out DIR] [--rounds N] [--min-time S] [--python PATH]
                 [--groups G,...] [--conditions quiet,loadN,...] [--load N] [--cputime-ms MS]
                 [--wait-idle S] [--readme PATH] [--smoke]

Method (interleaved rounds and paired ratios, on Google Benchmark):
  * The work is cut into units: one benchmark group ("queue/spsc", "event/pingpong", ...) of one
    C++ binary, or the same group in pybench.py. Each round runs every unit once, in a fresh
    process, in a shuffled order; inside a C++ unit Google Benchmark shuffles the benchmarks too
    (--benchmark_enable_random_interleaving). So every implementation is measured once per round,
    close in time to the others, and slow drift of the machine hits all of them alike.
  * Conditions (--conditions, default "quiet,load2"): each round runs every unit once per
    condition, the conditions in a shuffled order. "quiet" is the machine as it is; "loadN" runs
    the same units while N busy processes (`yes` writing to /dev/null) compete for the CPUs: the
    driver starts them before the condition's first unit of the round and terminates exactly
    those PIDs (SIGTERM, then waits for them) after its last one, also on Ctrl-C, SIGTERM, SIGHUP
    or an exception; they are also set to receive SIGKILL if the driver itself dies
    (PR_SET_PDEATHSIG). --load N is short for --conditions loadN.
  * Paired ratios: for each round and condition, speed(impl) / speed(reference) from that same
    round and condition; the tables give the median of those per-round ratios and their min..max,
    one column per condition. Trust them more than the absolute figures, which move with the machine.
  * Multi-threaded benchmarks are timed on the wall clock; single-threaded ones (queue/st,
    lock/uncontended, cond/notify_no_waiters) on the thread's CPU clock, which a busy machine
    disturbs less. Every C++ process has a second, parked thread (bench_main.cpp).
  * Noise control: for each unit, the CPU time other processes used meanwhile is measured
    (/proc/stat minus this script's children, minus the driver's own load processes, whose CPU
    time is read from /proc/<pid>/stat and reported separately); a unit disturbed by more than
    --quiet (10 %) of the CPUs is measured again, up to --retries (2) times, and --wait-idle S
    waits up to S seconds before each unit for the machine to go quiet. The report says how
    disturbed the run was and how much of the CPUs the load processes got.
  * The CPU-time check (itc-bench-cputime) runs once at the end, with no load.
Outputs in --out: report.md, results.json, throughput.png, latency.png (plots need matplotlib).
--readme replaces the block between the bench-results markers of that file with the machine,
the targets and the summary tables. Exit status 1 if a benchmark failed (wrong checksum, crash),
130 / 143 / 129 when interrupted by SIGINT / SIGTERM / SIGHUP (load processes stopped first).
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
import signal
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
    "queue/mpmc4": "std", "queue/st": "std", "event/pingpong": "cv_event", "lock/uncontended": "std_mutex",
    "lock/contended": "std_mutex", "cond/notify_no_waiters": "std_condvar", "cond/pingpong": "std_condvar",
    "barrier/round2": "cv_barrier",
}
GROUP_TITLE = {
    "queue/spsc": "Queue throughput, 1 producer / 1 consumer, unbounded (items)",
    "queue/spsc_b1024": "Queue throughput, 1 producer / 1 consumer, maxsize 1024 (items)",
    "queue/mpmc": "Queue throughput, 2 producers / 2 consumers, unbounded (items)",
    "queue/mpmc_b1024": "Queue throughput, 2 producers / 2 consumers, maxsize 1024 (items)",
    "queue/mpmc4": "Queue throughput, 4 producers / 4 consumers, unbounded: 8 threads on the CPUs (items)",
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
# (text, group, impl, reference, kind, thresholds). kind "speed": speed(impl)/speed(ref) >= threshold;
# kind "time": time(impl)/time(ref) <= threshold. ref "SPIN_LIMIT" = the faster of spin/spin_pause.
# thresholds: {"quiet": x} applies to the quiet condition, {"loaded": y} to every loadN condition
# (issue 14's targets are for two busy processes); a condition without a threshold shows the
# figure without a verdict.
TARGETS = [
    ("itc::Queue 1P/1C vs textbook queue", "queue/spsc", "itc_queue", "std", "speed", {"quiet": 2.5, "loaded": 1.0}),
    ("itc::Queue 1P/1C bounded (maxsize 1024) vs textbook queue", "queue/spsc_b1024", "itc_queue", "std", "speed",
     {"quiet": 1.5}),
    ("itc::Queue 1P/1C vs moodycamel::BlockingConcurrentQueue", "queue/spsc", "itc_queue", "moody", "speed",
     {"quiet": 5.0, "loaded": 1.0}),
    ("itc::Queue 1P/1C vs tbb::concurrent_bounded_queue", "queue/spsc", "itc_queue", "tbb", "speed", {"loaded": 1.0}),
    ("itc::Queue 1P/1C vs Python queue.SimpleQueue (C)", "queue/spsc", "itc_queue", "py_simplequeue", "speed",
     {"quiet": 1.0}),
    ("itc::Queue 1P/1C vs Python queue.Queue", "queue/spsc", "itc_queue", "py_queue", "speed", {"quiet": 40.0}),
    ("itc::Queue 1P/1C bounded (maxsize 1024) vs Python queue.Queue", "queue/spsc_b1024", "itc_queue", "py_queue",
     "speed", {"quiet": 40.0}),
    ("itc::Queue 2P/2C vs moodycamel (no tokens)", "queue/mpmc", "itc_queue", "moody", "speed",
     {"quiet": 1.0, "loaded": 1.0}),
    ("itc::Queue one thread, put()+get() vs textbook", "queue/st", "itc_queue", "std", "speed", {"quiet": 1.0}),
    ("task_done()/join() accounting, itc::Queue 2P/2C (with / without)", "queue/mpmc", "itc_queue_td", "itc_queue",
     "speed", {"quiet": 0.85}),
    ("itc::Condition notify() with no waiter vs std::condition_variable", "cond/notify_no_waiters", "itc_condition",
     "std_condvar", "speed", {"quiet": 0.5}),
    ("itc::Barrier round vs textbook barrier", "barrier/round2", "itc_barrier", "cv_barrier", "speed", {"quiet": 1.0}),
    ("itc::Event ping-pong vs the spinning limit (time)", "event/pingpong", "itc_event", "SPIN_LIMIT", "time",
     {"quiet": 3.0}),
    ("itc::Event ping-pong vs textbook condvar event", "event/pingpong", "itc_event", "cv_event", "speed",
     {"loaded": 1.0}),
    ("uncontended itc::Lock vs std::mutex (time)", "lock/uncontended", "itc_lock", "std_mutex", "time", {"quiet": 1.1}),
    ("itc::Semaphore vs std::counting_semaphore", "lock/uncontended", "itc_semaphore", "std_counting_semaphore",
     "speed", {"quiet": 10.0}),
]
# Further paired comparisons: (title, group, impl, reference).
COMPARISONS = [
    ("task_done()/join() accounting, itc::Queue 1P/1C", "queue/spsc", "itc_queue_td", "itc_queue"),
    ("task_done()/join() accounting, itc::Queue 1P/1C bounded", "queue/spsc_b1024", "itc_queue_td", "itc_queue"),
    ("task_done()/join() accounting, itc::Queue 2P/2C bounded", "queue/mpmc_b1024", "itc_queue_td", "itc_queue"),
    ("task_done()/join() accounting, itc::Queue one thread", "queue/st", "itc_queue_td", "itc_queue"),
    ("task_done()/join() accounting, textbook 1P/1C", "queue/spsc", "std_td", "std"),
    ("task_done()/join() accounting, textbook one thread", "queue/st", "std_td", "std"),
    ("task_done()/join() accounting, Python queue.Queue 1P/1C", "queue/spsc", "py_queue_td", "py_queue"),
    ("itc::Queue 1P/1C bounded vs tbb (capacity 1024)", "queue/spsc_b1024", "itc_queue", "tbb"),
    ("itc::Queue 2P/2C vs textbook", "queue/mpmc", "itc_queue", "std"),
    ("itc::Queue 2P/2C vs moodycamel with tokens", "queue/mpmc", "itc_queue", "moody_tok"),
    ("itc::Queue 2P/2C vs tbb", "queue/mpmc", "itc_queue", "tbb"),
    ("itc::Queue 2P/2C vs Python queue.Queue", "queue/mpmc", "itc_queue", "py_queue"),
    ("itc::Queue 2P/2C bounded vs textbook", "queue/mpmc_b1024", "itc_queue", "std"),
    ("itc::Queue 4P/4C (oversubscribed) vs textbook", "queue/mpmc4", "itc_queue", "std"),
    ("itc::Queue 4P/4C (oversubscribed) vs moodycamel (no tokens)", "queue/mpmc4", "itc_queue", "moody"),
    ("itc::Queue 4P/4C (oversubscribed) vs tbb", "queue/mpmc4", "itc_queue", "tbb"),
    ("itc::SimpleQueue 1P/1C vs Python queue.SimpleQueue", "queue/spsc", "itc_simplequeue", "py_simplequeue"),
    ("itc::SimpleQueue 1P/1C vs moodycamel", "queue/spsc", "itc_simplequeue", "moody"),
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
    ("Condition ping-pong (notify with a waiter): itc vs std", "cond/pingpong", "itc_condition", "std_condvar"),
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


def cpu_busy(seconds=1.0, load=None):
    """Fraction of all CPUs' time spent non-idle over `seconds` (while this script sleeps), not
    counting the driver's own load processes."""
    try:
        b0, t0 = cpu_jiffies()
        l0 = load.cpu_ticks() if load else 0
        time.sleep(seconds)
        b1, t1 = cpu_jiffies()
        l1 = load.cpu_ticks() if load else 0
        return max(0.0, (b1 - b0 - (l1 - l0)) / max(1, t1 - t0))
    except (IndexError, ValueError):
        return float("nan")


class ForeignCpu:
    """Measures the CPU time that *other* processes used while one unit ran: all CPUs' busy time
    (/proc/stat) minus the CPU time of the children this script waited for and minus that of its
    load processes (still running, so read from /proc/<pid>/stat), as a fraction of
    (wall time x CPUs). A unit that ran next to someone else's build shows up here; the load
    processes' share is kept apart in `load_fraction`."""

    def __init__(self, load=None):
        self.load = load

    def __enter__(self):
        import resource
        self._res = resource
        self.b0, self.t0 = cpu_jiffies()
        self.l0 = self.load.cpu_ticks() if self.load else 0
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.c0 = ru.ru_utime + ru.ru_stime
        return self

    def __exit__(self, *exc):
        b1, t1 = cpu_jiffies()
        l1 = self.load.cpu_ticks() if self.load else 0
        ru = self._res.getrusage(self._res.RUSAGE_CHILDREN)
        tick = os.sysconf("SC_CLK_TCK")
        busy_s = (b1 - self.b0) / tick
        total_s = max(1e-9, (t1 - self.t0) / tick)
        load_s = (l1 - self.l0) / tick
        self.load_fraction = load_s / total_s
        self.fraction = max(0.0, busy_s - load_s - (ru.ru_utime + ru.ru_stime - self.c0)) / total_s
        return False


def wait_quiet(budget_s, threshold, what, load=None):
    """Waits up to budget_s for other processes to use less than `threshold` of the CPUs."""
    deadline = time.time() + budget_s
    b = cpu_busy(0.3, load)
    while b > threshold and time.time() < deadline:
        log(f"{what}: other processes use {b:.0%} of the CPUs; waiting")
        time.sleep(3)
        b = cpu_busy(0.5, load)
    return b


# ── the loaded condition ───────────────────────────────────────────────────────────────────────

def parse_conditions(text):
    """"quiet,load2" -> [("quiet", 0), ("load2", 2)]."""
    out = []
    for word in (w.strip() for w in text.split(",")):
        if not word:
            continue
        m = re.fullmatch(r"load(\d+)", word)
        if word == "quiet" or (m and int(m.group(1)) == 0):
            cond = ("quiet", 0)
        elif m:
            cond = (word, int(m.group(1)))
        else:
            raise ValueError(f"unknown condition {word!r} (expected quiet or loadN, e.g. load2)")
        if cond in out:
            raise ValueError(f"condition {cond[0]} given twice")
        out.append(cond)
    if not out:
        raise ValueError("no condition given")
    return out


def proc_stat(pid):
    """(state, utime + stime ticks, start time) of a process from /proc/<pid>/stat, or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()  # after "pid (comm) ": field 3 (state) first
    return fields[0], int(fields[11]) + int(fields[12]), int(fields[19])


def _die_with_parent(parent_pid):
    """preexec_fn of a load process: SIGKILL when the driver dies (even by SIGKILL), so a killed
    driver cannot leave busy processes behind on a shared machine."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
    except (ImportError, OSError):
        libc = None

    def preexec():
        if libc is not None:
            libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
        if os.getppid() != parent_pid:  # the driver died before prctl took effect
            os._exit(1)
    return preexec


class LoadProcesses:
    """N busy processes competing for the CPUs while a condition's units run: `yes` writing to
    /dev/null (the load of issue 14's measurement), or a Python busy loop without `yes`. Started
    by __enter__, and __exit__ terminates exactly the PIDs it started (SIGTERM, SIGKILL after 5 s)
    and waits for each, with SIGINT/SIGTERM/SIGHUP blocked meanwhile so that a second Ctrl-C
    cannot interrupt the clean-up. n = 0: nothing (the quiet condition)."""

    def __init__(self, n, settle_s=0.2):
        self.n, self.settle_s = n, settle_s
        self.procs, self.records, self.restarts = [], [], 0
        yes = shutil.which("yes")
        self.command = [yes] if yes else [sys.executable, "-c", "while True: pass"]

    def _spawn(self):
        p = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent(os.getpid()))
        st = proc_stat(p.pid)
        self.procs.append(p)
        self.records.append({"pid": p.pid, "starttime": st[2] if st else None, "returncode": None})
        return p

    def __enter__(self):
        # An exception here (Ctrl-C during the settling sleep) skips __exit__: stop here.
        try:
            for _ in range(self.n):
                self._spawn()
            if self.n:
                log(f"load: started {self.n} busy process(es) ({os.path.basename(self.command[0])}), "
                    f"PIDs {' '.join(str(p.pid) for p in self.procs)}")
                time.sleep(self.settle_s)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def cpu_ticks(self):
        """utime + stime of the running load processes, in clock ticks."""
        total = 0
        for p in self.procs:
            if p.returncode is None:
                st = proc_stat(p.pid)
                total += st[1] if st else 0
        return total

    def ensure_running(self):
        """Restarts a load process that died (someone killed it): the condition stays N busy."""
        for i, p in enumerate(list(self.procs)):
            if p.returncode is None and p.poll() is not None:
                self.records[i]["returncode"] = p.returncode
                self.restarts += 1
                q = self._spawn()
                log(f"load: process {p.pid} exited ({p.returncode}); restarted as {q.pid}")

    def stop(self):
        if not self.procs:
            return
        sigs = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
        old = signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
        try:
            for p in self.procs:
                if p.returncode is None:
                    p.terminate()
            for i, p in enumerate(self.procs):
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
                self.records[i]["returncode"] = p.returncode
            log(f"load: stopped PIDs {' '.join(str(p.pid) for p in self.procs)}")
            self.procs = []
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _raise_on_signal(signum, _frame):
    """SIGTERM / SIGHUP end the run like Ctrl-C does: by an exception, so that every `with
    LoadProcesses` and `finally` on the way out stops what it started."""
    raise SystemExit(128 + signum)


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
# `results` maps a condition's name to its samples ({"group/impl": {round: ns per unit}}); `conds`
# is the list of (name, number of load processes) in the order the tables show them.

def impls_of(samples, group):
    names = [n.rsplit("/", 1)[1] for n in samples if n.rsplit("/", 1)[0] == group]
    base = BASELINE.get(group)
    order = {w: i for i, w in enumerate(WHAT)}
    return sorted(names, key=lambda n: (n != base, order.get(n, 999), n))


def merged_names(results):
    return {n for samples in results.values() for n in samples}


def group_table(results, conds, group):
    base = BASELINE.get(group)
    spin = group == "event/pingpong"
    head = ["impl", "what", "rounds"]
    for c, _ in conds:
        head += [f"{c}: median ns/unit (min..max)", f"{c}: speed vs {base} (paired)"]
        if spin:
            head.append(f"{c}: × spin limit (paired time ratio)")
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for impl in impls_of(dict.fromkeys(merged_names(results)), group):
        name = f"{group}/{impl}"
        stats = [summary(list(results[c].get(name, {}).values())) for c, _ in conds]
        cells = [impl, WHAT.get(impl, ""), " / ".join(str(s["n"]) if s else "0" for s in stats)]
        for (c, _), s in zip(conds, stats):
            samples = results[c]
            if s is None:
                cells += ["n/a", "n/a"] + (["n/a"] if spin else [])
                continue
            cells.append(f"{fmt(s['median'])} ({fmt(s['min'])}..{fmt(s['max'])})")
            cells.append("1 (reference)" if impl == base else ratio_cell(summary(paired(samples, group, impl, base))))
            if spin:
                lim = summary(paired(samples, group, impl, "SPIN_LIMIT"))
                cells.append("n/a" if lim is None else f"{fmt(1 / lim['median'])}")
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def threshold_for(thresholds, load):
    return thresholds.get("loaded" if load else "quiet")


def evaluate_one(samples, group, impl, ref, kind, threshold):
    ratios = paired(samples, group, impl, ref)
    s = summary(ratios)
    if s is None:
        missing = [n for n in (impl, ref) if n != "SPIN_LIMIT" and f"{group}/{n}" not in samples]
        return {"measured": None, "threshold": threshold, "met": None,
                "note": f"not measured ({', '.join(missing) or ref} missing)"}
    if kind == "speed":
        value, lo, hi = s["median"], s["min"], s["max"]
    else:  # time ratio = 1 / speed ratio
        value, lo, hi = 1 / s["median"], 1 / s["max"], 1 / s["min"]
    out = {"measured": value, "min": lo, "max": hi, "rounds": len(ratios), "threshold": threshold, "met": None}
    if threshold is not None:
        if kind == "speed":
            out["met"] = value >= threshold
            out["rounds_met"] = sum(r >= threshold for r in ratios)
            out["gap"] = value / threshold
        else:
            out["met"] = value <= threshold
            out["rounds_met"] = sum(1 / r <= threshold for r in ratios)
            out["gap"] = threshold / value
    return out


def evaluate_targets(results, conds):
    out = []
    for text, group, impl, ref, kind, thresholds in TARGETS:
        out.append({"target": text, "group": group, "impl": impl, "ref": ref, "kind": kind, "thresholds": thresholds,
                    "by_condition": {c: evaluate_one(results[c], group, impl, ref, kind, threshold_for(thresholds, n))
                                     for c, n in conds}})
    return out


def needed_text(kind, thresholds):
    op, unit = ("≥", "×") if kind == "speed" else ("≤", "× time")
    def num(v):
        text = f"{v:g}"
        return text + ".0" if "." not in text and v < 10 else text
    return ", ".join(f"{k} {op} {num(v)}{unit}" for k, v in thresholds.items())


def target_cell(t, r):
    """One condition's cell: verdict, paired median (min..max), rounds meeting it, and the gap."""
    if r["measured"] is None:
        return r["note"]
    unit = "×" if t["kind"] == "speed" else "× time"
    value = f"{fmt(r['measured'])}{unit} ({fmt(r['min'])}..{fmt(r['max'])})"
    if r["met"] is None:
        return value + " (no target)"
    if r["met"]:
        return f"**yes**: {value}, {r['rounds_met']}/{r['rounds']} rounds"
    return f"**no**: {value}, {r['rounds_met']}/{r['rounds']} rounds, {fmt(r['gap'])} of the target"


def targets_table(targets, conds):
    head = ["target", "needed"] + [f"{c}: paired median (min..max)" for c, _ in conds]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for t in targets:
        cells = [t["target"], needed_text(t["kind"], t["thresholds"])]
        cells += [target_cell(t, t["by_condition"][c]) for c, _ in conds]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def comparisons_table(results, conds):
    head = ["comparison", "group"] + [f"{c}: speed ratio (paired median, min..max; > 1 = first is faster)"
                                      for c, _ in conds]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for title, group, impl, ref in COMPARISONS:
        cells = [ratio_cell(summary(paired(results[c], group, impl, ref))) for c, _ in conds]
        if any(x != "n/a" for x in cells):
            rows.append(f"| {title} ({impl} / {ref}) | {group} | " + " | ".join(cells) + " |")
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


def pct(x):
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.0%}"


def condition_line(m, meta, c):
    others = (f"other processes' CPU use while a unit ran: median {pct(c['busy_median'])}, max {pct(c['busy_max'])} "
              f"of {m['nproc']} CPUs; {c['retried']} unit(s) re-measured, {c['busy_over_quiet']} of {c['units']} "
              f"kept above {meta['quiet']:.0%}" + (" — **the machine was busy: treat these figures with care**"
                                                    if c['busy_over_quiet'] > c['units'] // 10 else ""))
    if not c["load"]:
        return f"- {c['name']}: {others}"
    return (f"- {c['name']}: load: {c['load']} busy process(es) (`{c['load_command']}`, started and stopped by the "
            f"driver), using median {pct(c['load_median'])} (max {pct(c['load_max'])}) of the CPUs while a unit ran"
            + (f", {c['load_restarts']} restarted" if c['load_restarts'] else "") + f"; {others}")


def machine_block(m, meta):
    names = ", ".join(c["name"] for c in meta["conditions"])
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
        f"- Run: {meta['rounds']} rounds × {len(meta['conditions'])} condition(s) ({names}), "
        f"--benchmark_min_time={meta['min_time']}, {meta['elapsed_s']:.0f} s",
    ] + [condition_line(m, meta, c) for c in meta["conditions"]])


def group_sections(results, conds, level):
    parts = []
    names = merged_names(results)
    for g in GROUP_ORDER + sorted(set(n.rsplit("/", 1)[0] for n in names) - set(GROUP_ORDER)):
        if any(n.rsplit("/", 1)[0] == g for n in names):
            parts += [f"{level} {g} — {GROUP_TITLE.get(g, g)}", "", group_table(results, conds, g), ""]
    return parts


def write_report(out_dir, results, conds, targets, cputime, machine, meta, errors, plots):
    parts = [f"# itc benchmarks — {machine['date']}", "", "## Machine", "", machine_block(machine, meta), "",
             "## Targets (paired ratios from this run)", "", targets_table(targets, conds), ""]
    parts += ["## Paired comparisons", "", comparisons_table(results, conds), ""]
    parts += ["## CPU time of a thread blocked in one call (itc-bench-cputime, no load)", "",
              cputime_table(cputime), ""]
    parts += ["## Every benchmark", "",
              "Per condition: ns/unit is the median over the rounds (min..max); the speed column is the median of "
              "the per-round ratios to the reference measured in the same round and condition (> 1 = faster), with "
              "their min..max.", ""]
    parts += group_sections(results, conds, "###")
    if plots:
        parts += ["## Plots", ""] + [f"![{p}]({p})" for p in plots] + [""]
    if errors:
        parts += ["## Errors", ""] + [f"- {e}" for e in errors] + [""]
    (out_dir / "report.md").write_text("\n".join(parts))


def readme_block(results, conds, targets, cputime, machine, meta):
    parts = ["<!-- bench-results:begin (written by run_bench.py --readme; do not edit by hand) -->", "",
             "### Machine", "", machine_block(machine, meta), "", "### Targets", "", targets_table(targets, conds), "",
             "### Paired comparisons", "", comparisons_table(results, conds), "",
             "### CPU time while blocked", "", cputime_table(cputime), "", "### Every benchmark", ""]
    parts += group_sections(results, conds, "####")
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


def plot(out_dir, results, conds):
    """throughput.png (queue groups) and latency.png (the others): per group one panel, per
    implementation one bar per condition (solid: quiet, hatched: loaded), median with min..max."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.patches import Patch
    except ImportError:
        log("matplotlib not available (python3-matplotlib): no plots")
        return []
    names = merged_names(results)
    k = len(conds)
    height = 0.8 / k
    hatches = ["", "///", "xxx", "...", "\\\\\\"]
    alphas = [1.0, 0.55, 0.4, 0.3, 0.25]

    def color(impl):
        return ("tab:red" if impl.startswith("itc") else "tab:green" if impl.startswith("py_") else
                "tab:gray" if impl.startswith("spin") else "tab:blue")

    def bars(ax, group, to_value, xlabel):
        impls = impls_of(dict.fromkeys(names), group)
        for j, (c, _) in enumerate(conds):
            ys, med, lo, hi, colors = [], [], [], [], []
            for i, impl in enumerate(impls):
                v = [to_value(x) for x in results[c].get(f"{group}/{impl}", {}).values()]
                if not v:
                    continue
                m = statistics.median(v)
                ys.append(i - 0.4 + height * (j + 0.5))
                med.append(m)
                lo.append(m - min(v))
                hi.append(max(v) - m)
                colors.append(color(impl))
            if med:
                ax.barh(ys, med, height=height, xerr=[lo, hi], color=colors, capsize=2,
                        hatch=hatches[j % len(hatches)], alpha=alphas[j % len(alphas)], edgecolor="black",
                        linewidth=0.3, error_kw={"elinewidth": 0.8})
        ax.set_yticks(range(len(impls)), impls, fontsize=8)
        ax.set_ylim(len(impls) - 0.5, -0.5)
        ax.set_xscale("log")
        ax.set_title(f"{group}", fontsize=10)
        ax.set_xlabel(xlabel, fontsize=8)
        ax.grid(axis="x", which="both", alpha=0.3)

    def panel_height(group):
        """Inches: room for one bar per implementation and condition, plus title and axis."""
        return 1.0 + 0.14 * k * len(impls_of(dict.fromkeys(names), group))

    def legend(fig):
        if k > 1:
            handles = [Patch(facecolor="white", edgecolor="black", hatch=hatches[j % len(hatches)],
                             label=c if not n else f"{c} ({n} busy process{'es' if n > 1 else ''})")
                       for j, (c, n) in enumerate(conds)]
            fig.legend(handles=handles, loc="upper right", fontsize=8, ncol=k)

    colors_note = "red: itc, blue: C++ others, green: Python"
    cond_note = "; per impl. one bar per condition, top to bottom: " + ", ".join(c for c, _ in conds) if k > 1 else ""
    written = []
    tgroups = [g for g in ("queue/spsc", "queue/spsc_b1024", "queue/mpmc", "queue/mpmc_b1024", "queue/mpmc4")
               if any(n.startswith(g + "/") for n in names)]
    if tgroups:
        sizes = [panel_height(g) for g in tgroups]
        fig, axes = plt.subplots(len(tgroups), 1, figsize=(9, sum(sizes) + 0.4), squeeze=False,
                                 gridspec_kw={"height_ratios": sizes})
        for ax, g in zip(axes[:, 0], tgroups):
            bars(ax, g, lambda ns: 1e3 / ns, "M items/s (median, whiskers min..max over rounds; log scale)")
        fig.suptitle(f"Queue throughput ({colors_note}{cond_note})", fontsize=10)
        legend(fig)
        fig.tight_layout(rect=(0, 0, 1, 0.97))
        fig.savefig(out_dir / "throughput.png", dpi=110)
        plt.close(fig)
        written.append("throughput.png")
    lgroups = [g for g in ("event/pingpong", "cond/pingpong", "barrier/round2", "lock/uncontended",
                           "lock/contended", "cond/notify_no_waiters", "queue/st")
               if any(n.startswith(g + "/") for n in names)]
    if lgroups:
        cols = 2
        nrows = (len(lgroups) + cols - 1) // cols
        sizes = [max(panel_height(g) for g in lgroups[i * cols:(i + 1) * cols]) for i in range(nrows)]
        fig, axes = plt.subplots(nrows, cols, figsize=(13, sum(sizes) + 0.4), squeeze=False,
                                 gridspec_kw={"height_ratios": sizes})
        for ax, g in zip(axes.flat, lgroups):
            bars(ax, g, lambda ns: ns, "ns per unit (median, whiskers min..max; log scale)")
        for ax in list(axes.flat)[len(lgroups):]:
            ax.axis("off")
        fig.suptitle(f"Latency / cost per operation ({colors_note}, gray: spin limit{cond_note})", fontsize=10)
        legend(fig)
        fig.tight_layout(rect=(0, 0, 1, 0.97))
        fig.savefig(out_dir / "latency.png", dpi=110)
        plt.close(fig)
        written.append("latency.png")
    return written


# ── main ───────────────────────────────────────────────────────────────────────────────────────

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin-dir", default=str(REPO / "build/bench/stress/bench"), help="where itc-bench-* are")
    ap.add_argument("--out", default=str(REPO / "reports/bench"), help="output directory")
    ap.add_argument("--rounds", type=int, default=None, help="rounds (default 7; --smoke: 1)")
    ap.add_argument("--min-time", type=float, default=0.2, help="Google Benchmark min time per benchmark (s)")
    ap.add_argument("--python", default="/usr/bin/python3" if Path("/usr/bin/python3").exists() else "python3",
                    help="interpreter for pybench.py (default: Debian's /usr/bin/python3)")
    ap.add_argument("--groups", default="", help="comma-separated group prefixes to run (default: all)")
    ap.add_argument("--conditions", default=None,
                    help="comma-separated conditions, each 'quiet' or 'loadN' (N busy processes started by the "
                         "driver); default quiet,load2 (--smoke: quiet,load1)")
    ap.add_argument("--load", type=int, default=None, metavar="N",
                    help="short for --conditions loadN: only the condition with N busy processes")
    ap.add_argument("--cputime-ms", type=int, default=1000, help="block time of the CPU-time check (0: skip)")
    ap.add_argument("--wait-idle", type=float, default=0,
                    help="before each unit wait up to this many seconds for other processes to go quiet")
    ap.add_argument("--quiet", type=float, default=0.10,
                    help="a unit during which other processes used more than this fraction of the CPUs is "
                         "measured again (default 0.10); the driver's own load processes do not count")
    ap.add_argument("--retries", type=int, default=2, help="re-measurements of a disturbed unit (default 2)")
    ap.add_argument("--readme", default="", help="README whose bench-results block to replace")
    ap.add_argument("--smoke", action="store_true", help="one brief round of everything (CTest)")
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    if args.load is not None and args.conditions is not None:
        ap.error("give --load or --conditions, not both")
    try:
        conds = parse_conditions(f"load{args.load}" if args.load is not None else
                                 args.conditions or ("quiet,load1" if args.smoke else "quiet,load2"))
    except ValueError as e:
        ap.error(str(e))
    if args.rounds is None:
        args.rounds = 1 if args.smoke else 7
    if args.smoke:
        args.min_time, args.cputime_ms = 0.001, min(args.cputime_ms, 20)
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

    results = {c: {} for c, _ in conds}
    stats = {c: {"name": c, "load": n, "foreign": [], "load_share": [], "retried": 0, "load_processes": [],
                 "load_restarts": 0, "load_command": ""} for c, n in conds}
    errors = []
    start = time.time()
    for r in range(args.rounds):
        corder = conds[:]
        rng.shuffle(corder)
        for c, n in corder:
            st = stats[c]
            order = units[:]
            rng.shuffle(order)
            log(f"round {r + 1}/{args.rounds} {c}: {len(order)} units")
            with LoadProcesses(n, 0.05 if args.smoke else 0.2) as load:
                st["load_command"] = " ".join(os.path.basename(x) for x in load.command) + " > /dev/null"
                try:
                    for kind, runner, group in order:
                        for attempt in range(args.retries + 1):
                            load.ensure_running()
                            if args.wait_idle > 0:
                                wait_quiet(args.wait_idle, args.quiet, f"round {r + 1} {c} {group}", load)
                            with ForeignCpu(load) as fc:
                                if kind == "cpp":
                                    res, errs = run_cpp(runner, group, args.min_time)
                                else:
                                    res, errs = run_python(runner, group, args.smoke, rng.randrange(1 << 30))
                            if fc.fraction <= args.quiet or attempt == args.retries or args.smoke:
                                break
                            st["retried"] += 1
                            log(f"round {r + 1} {c} {kind} {group}: other processes used {fc.fraction:.0%} of the "
                                f"CPUs meanwhile; measuring it again")
                        st["foreign"].append(fc.fraction)
                        if n:
                            st["load_share"].append(fc.load_fraction)
                        errors += errs
                        for name, ns in res.items():
                            results[c].setdefault(name, {})[r] = ns
                finally:
                    load.stop()
                    st["load_processes"] += [dict(rec, round=r + 1) for rec in load.records]
                    st["load_restarts"] += load.restarts
    cputime, errs = ([], []) if args.cputime_ms <= 0 else run_cputime(bin_dir, args.cputime_ms)
    errors += errs
    meta = {"rounds": args.rounds, "min_time": args.min_time, "elapsed_s": time.time() - start, "quiet": args.quiet,
            "conditions": []}
    for c, n in conds:
        st = stats[c]
        f, ls = st.pop("foreign"), st.pop("load_share")
        meta["conditions"].append(dict(
            st, busy_median=statistics.median(f) if f else float("nan"), busy_max=max(f) if f else float("nan"),
            busy_over_quiet=sum(x > args.quiet for x in f), units=len(f),
            load_median=statistics.median(ls) if ls else None, load_max=max(ls) if ls else None))
    machine = machine_info(bin_dir, args.python)
    targets = evaluate_targets(results, conds)
    plots = plot(out_dir, results, conds)
    write_report(out_dir, results, conds, targets, cputime, machine, meta, errors, plots)
    (out_dir / "results.json").write_text(json.dumps(
        {"machine": machine, "meta": meta, "samples_ns_per_unit_by_condition_and_round": results,
         "targets": targets, "cputime": cputime, "errors": errors}, indent=1, default=str))
    if args.readme:
        update_readme(args.readme, readme_block(results, conds, targets, cputime, machine, meta))
    print(targets_table(targets, conds))
    log(f"report: {out_dir / 'report.md'}")
    for e in errors:
        log(f"ERROR: {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    # Ctrl-C even when started with SIGINT ignored (a background job of a script); SIGTERM; SIGHUP
    # unless ignored on purpose (nohup): each ends the run through the clean-up of the load.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _raise_on_signal)
    if signal.getsignal(signal.SIGHUP) != signal.SIG_IGN:
        signal.signal(signal.SIGHUP, _raise_on_signal)
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        log("interrupted")
        sys.exit(130)
