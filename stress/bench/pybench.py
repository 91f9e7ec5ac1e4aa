#!/usr/bin/env python3
"""The Python side of itc's benchmarks: the same work as the C++ programs, on Python's primitives.

    pybench.py [--list] [--smoke] [--scale X] [--seed N] [NAME_OR_PREFIX ...]

Runs the named benchmarks (all by default; a name ending in '/' selects a group, e.g.
"queue/spsc/") in a shuffled order and prints one JSON object per line:
    {"name": "queue/spsc/py_queue", "n": 100000, "seconds": 0.41, "ns_per_unit": 4100.0}
The unit is one item handed off (queues), one round trip (ping-pongs, barrier rounds) or one
call/pair (locks, notify). Each benchmark first runs a warm-up with n/10 units, then one timed run.
Threads start behind a spin gate; the time runs from opening the gate to the last join, as in the
C++ programs (bench_common.hpp); single-threaded ones are timed on the thread's CPU clock.
Checksums verify that every item arrived.

Run it with the machine's interpreter (Debian's /usr/bin/python3): run_bench.py does.
"""
import argparse
import json
import queue
import random
import sys
import threading
import time


def run_timed(workers):
    """Runs each callable on its own thread behind a gate; returns seconds from gate to last join."""
    gate = [False]
    ready = []

    def wrap(fn):
        def body():
            ready.append(1)
            while not gate[0]:
                time.sleep(0)
            fn()
        return body

    threads = [threading.Thread(target=wrap(w)) for w in workers]
    for t in threads:
        t.start()
    while len(ready) != len(threads):
        time.sleep(0)
    t0 = time.perf_counter()
    gate[0] = True
    for t in threads:
        t.join()
    return time.perf_counter() - t0


# ── queues: the same shapes as queue_bench.cpp ────────────────────────────────────────────────

def handoff(make_queue, producers, consumers, accounting=False):
    def bench(n):
        q = make_queue()
        sums = []

        def producer(p):
            def body():
                put = q.put
                for i in range(p, n, producers):
                    put(i)
                if accounting:
                    q.join()
            return body

        def consumer():
            get = q.get
            s = 0
            if accounting:
                done = q.task_done
                for _ in range(n // consumers):
                    s += get()
                    done()
            else:
                for _ in range(n // consumers):
                    s += get()
            sums.append(s)

        secs = run_timed([producer(p) for p in range(producers)] + [consumer] * consumers)
        if sum(sums) != n * (n - 1) // 2:
            raise RuntimeError("checksum mismatch")
        return secs
    return bench


# Single-threaded benchmarks are timed on the thread's CPU clock, like their C++ counterparts
# (Google Benchmark's default), which a busy machine disturbs less than the wall clock.

def single_thread(make_queue, accounting=False):
    def bench(n):
        q = make_queue()
        put, get = q.put, q.get
        t0 = time.thread_time()
        if accounting:
            done = q.task_done
            for i in range(n):
                put(i)
                get()
                done()
            q.join()
        else:
            for i in range(n):
                put(i)
                get()
        return time.thread_time() - t0
    return bench


# ── ping-pongs and barrier: one partner thread, like event_bench.cpp / sync_bench.cpp ─────────

def event_pingpong(n):
    ping, pong = threading.Event(), threading.Event()

    def partner():
        for _ in range(n):
            ping.wait()
            ping.clear()
            pong.set()

    t = threading.Thread(target=partner)
    t.start()
    t0 = time.perf_counter()
    for _ in range(n):
        ping.set()
        pong.wait()
        pong.clear()
    secs = time.perf_counter() - t0
    t.join()
    return secs


def condition_pingpong(n):
    c = threading.Condition()
    turn = [0]

    def partner():
        with c:
            for _ in range(n):
                while turn[0] != 1:
                    c.wait()
                turn[0] = 0
                c.notify()

    t = threading.Thread(target=partner)
    t.start()
    t0 = time.perf_counter()
    for _ in range(n):
        with c:
            turn[0] = 1
            c.notify()
            while turn[0] != 0:
                c.wait()
    secs = time.perf_counter() - t0
    t.join()
    return secs


def barrier_round(n):
    b = threading.Barrier(2)

    def partner():
        for _ in range(n):
            b.wait()

    t = threading.Thread(target=partner)
    t.start()
    t0 = time.perf_counter()
    for _ in range(n):
        b.wait()
    secs = time.perf_counter() - t0
    t.join()
    return secs


# ── locks and notify: like lock_bench.cpp / sync_bench.cpp ────────────────────────────────────

def uncontended(make_lock):
    def bench(n):
        lock = make_lock()
        acquire, release = lock.acquire, lock.release
        t0 = time.thread_time()
        for _ in range(n):
            acquire()
            release()
        return time.thread_time() - t0
    return bench


def contended(make_lock):
    def bench(n):
        lock = make_lock()
        counter = [0]

        def body():
            acquire, release = lock.acquire, lock.release
            for _ in range(n // 2):
                acquire()
                counter[0] += 1
                release()

        secs = run_timed([body, body])
        if counter[0] != 2 * (n // 2):
            raise RuntimeError("mutual exclusion violated")
        return secs
    return bench


def notify_no_waiters(n):
    c = threading.Condition()
    notify = c.notify
    with c:
        t0 = time.thread_time()
        for _ in range(n):
            notify()
        return time.thread_time() - t0


# name -> (function(n) -> seconds, n for a full run)
BENCHMARKS = {
    "queue/spsc/py_queue": (handoff(queue.Queue, 1, 1), 100_000),
    "queue/spsc/py_queue_td": (handoff(queue.Queue, 1, 1, accounting=True), 100_000),
    "queue/spsc/py_simplequeue": (handoff(queue.SimpleQueue, 1, 1), 1_000_000),
    "queue/spsc_b1024/py_queue": (handoff(lambda: queue.Queue(1024), 1, 1), 200_000),
    "queue/spsc_b1024/py_queue_td": (handoff(lambda: queue.Queue(1024), 1, 1, accounting=True), 200_000),
    "queue/mpmc/py_queue": (handoff(queue.Queue, 2, 2), 100_000),
    "queue/mpmc/py_queue_td": (handoff(queue.Queue, 2, 2, accounting=True), 100_000),
    "queue/mpmc/py_simplequeue": (handoff(queue.SimpleQueue, 2, 2), 1_000_000),
    "queue/mpmc_b1024/py_queue": (handoff(lambda: queue.Queue(1024), 2, 2), 200_000),
    "queue/st/py_queue": (single_thread(queue.Queue), 200_000),
    "queue/st/py_queue_td": (single_thread(queue.Queue, accounting=True), 200_000),
    "queue/st/py_simplequeue": (single_thread(queue.SimpleQueue), 1_000_000),
    "event/pingpong/py_event": (event_pingpong, 5_000),
    "cond/pingpong/py_condition": (condition_pingpong, 5_000),
    "cond/notify_no_waiters/py_condition": (notify_no_waiters, 500_000),
    "barrier/round2/py_barrier": (barrier_round, 5_000),
    "lock/uncontended/py_lock": (uncontended(threading.Lock), 1_000_000),
    "lock/uncontended/py_rlock": (uncontended(threading.RLock), 1_000_000),
    "lock/uncontended/py_semaphore": (uncontended(threading.Semaphore), 200_000),
    "lock/uncontended/py_bounded_semaphore": (uncontended(threading.BoundedSemaphore), 200_000),
    "lock/contended/py_lock": (contended(threading.Lock), 1_000_000),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help="benchmark names or group prefixes ending in '/'")
    ap.add_argument("--list", action="store_true", help="print the benchmark names and exit")
    ap.add_argument("--smoke", action="store_true", help="tiny sizes: check that everything runs")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every n (default 1)")
    ap.add_argument("--seed", type=int, default=None, help="seed of the shuffled order")
    args = ap.parse_args()

    if args.list:
        print("\n".join(BENCHMARKS))
        return 0
    selected = [name for name in BENCHMARKS
                if not args.names or any(name == s or (s.endswith("/") and name.startswith(s)) for s in args.names)]
    unknown = [s for s in args.names if not any(name == s or (s.endswith("/") and name.startswith(s))
                                                 for name in BENCHMARKS)]
    if unknown:
        print(f"pybench: unknown benchmark(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    random.Random(args.seed).shuffle(selected)

    # A second, parked thread, as in the C++ programs (bench_main.cpp).
    stop = threading.Event()
    parked = threading.Thread(target=stop.wait)
    parked.start()
    try:
        for name in selected:
            fn, n = BENCHMARKS[name]
            n = 100 if args.smoke else max(100, int(n * args.scale))
            n -= n % 4  # divisible by producers and consumers
            fn(max(4, n // 10 - (n // 10) % 4))  # warm-up
            secs = fn(n)
            print(json.dumps({"name": name, "n": n, "seconds": secs, "ns_per_unit": secs * 1e9 / n}), flush=True)
    finally:
        stop.set()
        parked.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
