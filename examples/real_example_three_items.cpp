// A real example: a producer/consumer pipeline. Python version: python/real_example_three_items.py
//
// The producer puts three items; the consumer processes each and calls task_done(); main
// waits for the producer, then for the queue, and reports completion.
#include <chrono>
#include <functional>
#include <iostream>
#include <mutex>
#include <thread>

#include "itc/itc.hpp"

namespace {

// One line at a time: concurrent `std::cout <<` calls may interleave their characters.
itc::Lock print_lock;

template <class... Args>
void print(const Args&... args) {
  std::lock_guard guard(print_lock);
  (std::cout << ... << args) << '\n' << std::flush;  // flushed, so a hang still shows progress
}

void producer(itc::Queue<int>& q) {
  for (int i = 0; i < 3; ++i) {
    print("Produced item ", i);
    q.put(i);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void consumer(itc::Queue<int>& q) {
  try {
    for (;;) {
      const int item = q.get();
      print("Consumed item ", item);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // simulate processing
      q.task_done();
    }
  } catch (const itc::ShutDown&) {
    // main called q.shutdown() and the queue is empty: nothing more will come.
  }
}

}  // namespace

int main() {
  itc::Queue<int> q;
  // Python makes the consumer a daemon thread and lets the interpreter abandon it at exit. C++
  // has no daemon threads (a detached thread still blocked in q.get() while q is destroyed is
  // undefined behaviour), so main stops it with q.shutdown() — Python 3.13's queue.shutdown().
  std::thread consumer_thread(consumer, std::ref(q));
  std::thread producer_thread(producer, std::ref(q));

  producer_thread.join();
  q.join();
  print("All tasks completed");

  q.shutdown();  // wakes the consumer's get() with itc::ShutDown
  consumer_thread.join();
}
