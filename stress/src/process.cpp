#include "process.hpp"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

extern char** environ;

namespace itc::tools {

ProcessResult run_process(const std::vector<std::string>& argv, double timeout_s,
                          const std::vector<std::string>* env, bool stderr_through) {
  ProcessResult r;
  int out[2], err[2] = {-1, -1};
  if (::pipe(out) != 0) return r;
  if (!stderr_through && ::pipe(err) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    return r;
  }
  std::vector<std::string> store = argv;
  std::vector<char*> args;
  for (auto& a : store) args.push_back(a.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  if (!stderr_through) {
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    posix_spawn_file_actions_addclose(&fa, err[0]);
  }
  std::vector<std::string> env_store = env ? *env : std::vector<std::string>{};
  std::vector<char*> envp;
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  const auto t0 = std::chrono::steady_clock::now();
  const int rc = ::posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), env ? envp.data() : environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(out[1]);
  if (!stderr_through) ::close(err[1]);
  if (rc != 0) {
    r.err = std::string("cannot start ") + argv[0] + ": " + std::strerror(rc);
    ::close(out[0]);
    if (!stderr_through) ::close(err[0]);
    return r;
  }
  r.started = true;
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  bool open[2] = {true, !stderr_through};
  while (open[0] || open[1]) {
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    const int ready = ::poll(fds, open[1] ? 2 : 1, 100);
    if (elapsed() > timeout_s) {
      ::kill(pid, SIGKILL);
      r.timed_out = true;
      break;
    }
    if (ready <= 0) continue;
    char buf[65536];
    for (int k = 0; k < (open[1] ? 2 : 1); ++k) {
      if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(fds[k].fd, buf, sizeof buf);
      if (n <= 0)
        open[k] = false;
      else
        (k == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(out[0]);
  if (!stderr_through) ::close(err[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.seconds = elapsed();
  if (WIFSIGNALED(status))
    r.signal = WTERMSIG(status);
  else if (WIFEXITED(status))
    r.exit_code = WEXITSTATUS(status);
  return r;
}

}  // namespace itc::tools
