#!/usr/bin/env python3
"""Barrier: threads work in lockstep rounds. C++ version: ../barrier_rounds.cpp"""
import threading

PARTIES = 3
ROUNDS = 3

lock = threading.Lock()
arrived = []  # ids of the workers that reached the barrier in the current round
round_no = 0


def end_of_round():
    # The barrier calls this once per round, in one thread, after all parties have arrived and
    # before any is released: every worker of this round is in `arrived`, none of the next.
    global round_no
    with lock:
        print(f"Round {round_no} complete: workers {sorted(arrived)}")
        arrived.clear()
        round_no += 1


barrier = threading.Barrier(PARTIES, action=end_of_round)


def worker(n):
    for _ in range(ROUNDS):
        with lock:
            arrived.append(n)  # this round's work
        barrier.wait()


print(f"Starting {PARTIES} workers for {ROUNDS} rounds")
threads = [threading.Thread(target=worker, args=(n,)) for n in range(PARTIES)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("All rounds done")
