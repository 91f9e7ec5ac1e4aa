// Method 1: producer/consumer with Queue. Python version: python/queue_producer_consumer.py
//
// The producer puts five items and then a sentinel; the consumer get()s each one and calls
// task_done(); main waits in q.join() until every item has been processed.
#include <chrono>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
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

// std::nullopt plays Python's None: the sentinel that tells the consumer to stop.
using Item = std::optional<int>;

void producer(itc::Queue<Item>& q) {
  for (int i = 0; i < 5; ++i) {
    print("Producing ", i);
    q.put(i);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  q.put(std::nullopt);  // sentinel: nothing more is coming
}

void consumer(itc::Queue<Item>& q) {
  for (;;) {
    const Item item = q.get();
    if (!item) {
      q.task_done();  // the sentinel was put() too, so it needs its task_done()
      break;
    }
    print("Consuming ", *item);
    q.task_done();
  }
}

}  // namespace

int main() {
  itc::Queue<Item> q;
  std::thread producer_thread(producer, std::ref(q));
  std::thread consumer_thread(consumer, std::ref(q));

  producer_thread.join();  // first: q.join() on a queue nobody has put into yet returns at once
  q.join();                // blocks until every item put has had its task_done()
  print("All items processed");
  consumer_thread.join();
}
