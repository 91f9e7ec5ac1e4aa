#!/usr/bin/env python3
"""Method 4: shared variables with Lock. C++ version: ../lock_shared_list.cpp"""
import threading

shared_list = []
counter = 0
lock = threading.Lock()


def worker(worker_id):
    global counter
    for _ in range(1000):
        with lock:  # counter += 1 is read, add, write: without the lock, updates get lost
            counter += 1
    with lock:
        shared_list.append(worker_id)


threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()

print(f"Counter: {counter}")
# Sorted, because the workers finish in any order.
print(f"Workers in the list: {sorted(shared_list)}")
