#!/usr/bin/env python3
"""Semaphore: 4 workers share a pool of 2 resources. C++ version: ../semaphore_pool.cpp"""
import threading
import time

pool = threading.Semaphore(2)  # two resources: at most two workers inside at once
stats_lock = threading.Lock()
in_use = 0
peak = 0


def worker(n):
    global in_use, peak
    with pool:
        with stats_lock:
            in_use += 1
            peak = max(peak, in_use)
        print(f"Worker {n} acquired a resource")
        time.sleep(0.05)  # use the resource
        print(f"Worker {n} released a resource")
        with stats_lock:
            in_use -= 1


threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()

# The peak itself depends on timing (1 or 2); the limit does not.
print(f"Never more than 2 at once: {peak <= 2}")
