// stress/src/blocked_frames.hpp — where a hung scenario thread really waits: its call stack,
// taken when the watchdog diagnoses a hang, reduced to the first frame in the scenario's own
// code (the caller of the primitive), with file and line.
//
// The chaos hooks know the primitive's internal line (queue.hpp:330, where it parks); a person
// debugging a hang needs the line of *their* code that called get(). The watchdog asks each
// blocked thread for its stack (SIGUSR2; the handler calls backtrace() into a per-thread
// buffer — backtrace() is warmed up once beforehand, so that the handler never loads libgcc),
// then symbolizes every address with one `addr2line -f -C -i` run over the executable (the
// build has -g). Best effort: no addr2line, a stripped binary or a thread that does not answer
// within 200 ms gives no caller line, never a wrong one.
#pragma once

#include <dlfcn.h>
#include <execinfo.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "itc/models/paths.hpp"
#include "process.hpp"

namespace itc::stress::frames {

constexpr int kMaxFrames = 64;
constexpr unsigned kMaxCaptured = 64;

struct Capture {
  std::atomic<int> done{0};
  int count = 0;
  void* frames[kMaxFrames];
};

inline Capture g_captures[kMaxCaptured];
inline thread_local int tls_index = -1;

inline void on_capture_signal(int /*sig*/) {
  const int i = tls_index;
  if (i < 0 || i >= static_cast<int>(kMaxCaptured)) return;
  g_captures[i].count = backtrace(g_captures[i].frames, kMaxFrames);
  g_captures[i].done.store(1, std::memory_order_release);
}

/// Once per process, before any scenario thread runs.
inline void install() {
  static const bool installed = [] {
    void* warm[4];
    (void)backtrace(warm, 4);  // loads the unwinder now, not inside a signal handler
    struct sigaction sa {};
    sa.sa_handler = on_capture_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGUSR2, &sa, nullptr) == 0;
  }();
  (void)installed;
}

/// Called by scenario thread `index` when it starts.
inline void attach(unsigned index) {
  tls_index = static_cast<int>(index);
}

struct Frame {
  std::string function;
  std::string location;  // "/abs/path/file.hpp:57"
};

/// Symbolizes groups of return addresses (each group innermost first, e.g. one thread's stack)
/// with one `addr2line -a -f -C -i` run over the executable: per group the frames, inlined
/// frames expanded, innermost first. A return address points after its call, so each is
/// stepped back one byte to land inside the call. Addresses outside the executable are skipped;
/// no addr2line or no debug info gives empty groups.
inline std::vector<std::vector<Frame>> symbolize(const std::vector<std::vector<void*>>& groups_in) {
  Dl_info self{};
  if (dladdr(reinterpret_cast<void*>(&symbolize), &self) == 0 || self.dli_fname == nullptr)
    return std::vector<std::vector<Frame>>(groups_in.size());
  std::vector<std::string> argv = {"addr2line", "-a", "-f", "-C", "-i", "-e", self.dli_fname};
  std::vector<std::vector<std::size_t>> address_slots(groups_in.size());
  for (std::size_t t = 0; t < groups_in.size(); ++t) {
    for (void* addr : groups_in[t]) {
      Dl_info info{};
      if (addr == nullptr || dladdr(addr, &info) == 0 || info.dli_fbase != self.dli_fbase) continue;
      const auto offset =
          reinterpret_cast<std::uintptr_t>(addr) - reinterpret_cast<std::uintptr_t>(info.dli_fbase) - 1;
      std::ostringstream hex;
      hex << "0x" << std::hex << offset;
      argv.push_back(hex.str());
      address_slots[t].push_back(argv.size() - 8);  // the address's position among those passed
    }
  }
  std::vector<std::vector<Frame>> out(groups_in.size());
  if (argv.size() == 7) return out;
  const tools::ProcessResult r = tools::run_process(argv, 20);
  if (!r.started || r.exit_code != 0) return out;
  std::vector<std::vector<Frame>> groups;
  std::istringstream in(r.out);
  std::string line;
  std::string function;
  while (std::getline(in, line)) {
    if (line.rfind("0x", 0) == 0) {
      groups.emplace_back();
    } else if (!groups.empty()) {
      if (function.empty()) {
        function = line;
      } else {
        groups.back().push_back({function, line});
        function.clear();
      }
    }
  }
  for (std::size_t t = 0; t < groups_in.size(); ++t)
    for (std::size_t slot : address_slots[t])
      if (slot < groups.size()) out[t].insert(out[t].end(), groups[slot].begin(), groups[slot].end());
  return out;
}

/// The stacks of the given threads (empty for one that did not answer), innermost first, with
/// inlined frames expanded.
inline std::vector<std::vector<Frame>> stacks_of(const std::vector<std::pair<unsigned, pthread_t>>& threads) {
  for (const auto& [index, handle] : threads) {
    if (index >= kMaxCaptured) continue;
    g_captures[index].done.store(0);
    (void)pthread_kill(handle, SIGUSR2);
  }
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  for (const auto& [index, handle] : threads)
    while (index < kMaxCaptured && g_captures[index].done.load(std::memory_order_acquire) == 0 &&
           std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::vector<std::vector<void*>> addresses(threads.size());
  for (std::size_t t = 0; t < threads.size(); ++t) {
    const unsigned index = threads[t].first;
    if (index >= kMaxCaptured || g_captures[index].done.load() == 0) continue;
    // The innermost frame is the signal handler's own pc, not a return address; stepping it back
    // one byte stays inside the same function, so symbolize() treats all frames alike.
    addresses[t].assign(g_captures[index].frames, g_captures[index].frames + g_captures[index].count);
  }
  return symbolize(addresses);
}

/// "itc::models::scenarios::QueueBase<itc::BasicStdPlatform<...> >::produce_and_join()" ->
/// "QueueBase::produce_and_join": no template arguments, parameters or namespaces.
inline std::string short_function(const std::string& demangled) {
  std::string out;
  int depth = 0;
  for (char ch : demangled) {
    if (ch == '<') ++depth;
    if (depth == 0 && ch == '(') break;
    if (depth == 0) out += ch;
    if (ch == '>' && depth > 0) --depth;
  }
  // Keep the last two components: the class (or namespace) and the function.
  std::size_t cut = out.rfind("::");
  if (cut != std::string::npos && cut > 0) {
    const std::size_t before = out.rfind("::", cut - 1);
    if (before != std::string::npos) out = out.substr(before + 2);
  }
  return out;
}

/// The first frame, innermost first, in code that is neither the library, the stress runner nor
/// the standard library: the scenario's (or the user's) line that called the primitive.
inline const Frame* caller_of(const std::vector<Frame>& stack) {
  static const char* const not_callers[] = {
      "/primitives/include/itc/",    "/stress/src/",  "/stress/include/",
      "/models/include/itc/models/", "/usr/include/", "/include/c++/"};
  for (const auto& f : stack) {
    // No file and line (the TSan runtime linked into the binary, a stripped part): not a caller.
    const bool has_line = f.location.find('/') != std::string::npos && !f.location.ends_with(":?") &&
                          !f.location.ends_with(":0");
    // itc's files by the build's roots too (an installed package's include/itc/, its runner).
    bool skip = !has_line || models::is_library_path(f.location);
    for (const char* p : not_callers)
      if (f.location.find(p) != std::string::npos) skip = true;
    if (!skip) return &f;
  }
  return nullptr;
}

}  // namespace itc::stress::frames
