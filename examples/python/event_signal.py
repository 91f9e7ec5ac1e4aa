#!/usr/bin/env python3
"""Method 2: signalling with Event. C++ version: ../event_signal.cpp"""
import threading
import time

event = threading.Event()


def waiter():
    print("Waiter: waiting for the event")
    event.wait()  # blocks until another thread calls event.set()
    print("Waiter: event received, continuing")


def setter():
    time.sleep(0.05)  # pretend to do some work first
    print("Setter: setting the event")
    event.set()


waiter_thread = threading.Thread(target=waiter)
setter_thread = threading.Thread(target=setter)
waiter_thread.start()
setter_thread.start()
waiter_thread.join()
setter_thread.join()
print(f"Done, event is set: {event.is_set()}")
