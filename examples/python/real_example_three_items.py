#!/usr/bin/env python3
"""A real example: a producer/consumer pipeline. C++ version: ../real_example_three_items.cpp"""
import queue
import threading
import time


def producer(q):
    for i in range(3):
        print(f"Produced item {i}")
        q.put(i)
        time.sleep(0.01)


def consumer(q):
    while True:
        item = q.get()
        print(f"Consumed item {item}")
        time.sleep(0.01)  # simulate processing
        q.task_done()


q = queue.Queue()
# daemon=True: the consumer never returns, and the interpreter does not wait for it at exit.
threading.Thread(target=consumer, args=(q,), daemon=True).start()
producer_thread = threading.Thread(target=producer, args=(q,))
producer_thread.start()

producer_thread.join()
q.join()
print("All tasks completed")
