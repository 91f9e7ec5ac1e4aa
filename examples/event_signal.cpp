// Method 2: signalling with Event. Python version: python/event_signal.py
//
// One thread blocks in event.wait() until another calls event.set().
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

itc::Event event;

void waiter() {
  print("Waiter: waiting for the event");
  event.wait();  // blocks until another thread calls event.set()
  print("Waiter: event received, continuing");
}

void setter() {
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // pretend to do some work first
  print("Setter: setting the event");
  event.set();
}

}  // namespace

int main() {
  std::thread waiter_thread(waiter);
  std::thread setter_thread(setter);
  waiter_thread.join();
  setter_thread.join();
  print("Done, event is set: ", event.is_set() ? "True" : "False");  // spelt as Python prints it
}
