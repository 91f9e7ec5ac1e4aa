#!/usr/bin/env python3
"""Method 1: producer/consumer with Queue. C++ version: ../queue_producer_consumer.cpp"""
import queue
import threading
import time


def producer(q):
    for i in range(5):
        print(f"Producing {i}")
        q.put(i)
        time.sleep(0.01)
    q.put(None)  # sentinel: nothing more is coming


def consumer(q):
    while True:
        item = q.get()
        if item is None:
            q.task_done()  # the sentinel was put() too, so it needs its task_done()
            break
        print(f"Consuming {item}")
        q.task_done()


q = queue.Queue()
producer_thread = threading.Thread(target=producer, args=(q,))
consumer_thread = threading.Thread(target=consumer, args=(q,))
producer_thread.start()
consumer_thread.start()

producer_thread.join()  # first: q.join() on a queue nobody has put into yet returns at once
q.join()  # blocks until every item put has had its task_done()
print("All items processed")
consumer_thread.join()
