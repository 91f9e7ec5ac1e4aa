#!/usr/bin/env python3
"""Method 3: Condition. C++ version: ../condition_data_ready.cpp"""
import threading
import time

condition = threading.Condition()
data_ready = False  # shared state; only touched with the condition's lock held


def consumer():
    with condition:
        print("Consumer: waiting for data")
        # A loop, not an if: the producer may already have run, and a woken thread must
        # re-check the state it waited for.
        while not data_ready:
            condition.wait()
        print("Consumer: data is ready, consuming it")


def producer():
    global data_ready
    time.sleep(0.05)  # pretend to prepare the data
    with condition:
        data_ready = True
        print("Producer: data ready, notifying")
        condition.notify()


consumer_thread = threading.Thread(target=consumer)
producer_thread = threading.Thread(target=producer)
consumer_thread.start()
producer_thread.start()
consumer_thread.join()
producer_thread.join()
print("Done")
