// Method 3: Condition. Python version: python/condition_data_ready.py
//
// The consumer waits on the condition until `data_ready` is true; the producer sets it and
// notifies, both with the condition's lock held.
#include <chrono>
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

itc::Condition condition;  // owns an RLock, like threading.Condition()
bool data_ready = false;   // shared state; only touched with the condition's lock held

void consumer() {
  std::lock_guard guard(condition);  // Python: `with condition:`
  print("Consumer: waiting for data");
  // A loop, not an if: the producer may already have run, and a woken thread must re-check the
  // state it waited for. (condition.wait_for([] { return data_ready; }) is the same loop.)
  while (!data_ready) condition.wait();
  print("Consumer: data is ready, consuming it");
}

void producer() {
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // pretend to prepare the data
  std::lock_guard guard(condition);
  data_ready = true;
  print("Producer: data ready, notifying");
  condition.notify();
}

}  // namespace

int main() {
  std::thread consumer_thread(consumer);
  std::thread producer_thread(producer);
  consumer_thread.join();
  producer_thread.join();
  print("Done");
}
