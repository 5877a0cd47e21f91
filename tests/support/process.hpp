// Runs the real idemctl binary from tests: to completion with a bound, or in the background
// (for `serve`), with output captured to files. Not thread-safe per object.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace idem::test {

struct ProcessResult {
  int exit_code = -1;  ///< -1 if it had to be killed at the deadline
  std::string out;
  std::string err;
};

/// Runs `args` (args[0] is the program) and waits at most `timeout`.
ProcessResult run_process(const std::vector<std::string>& args,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

/// A child process running in the background; killed (SIGKILL) on destruction if still alive.
class BackgroundProcess {
 public:
  explicit BackgroundProcess(const std::vector<std::string>& args);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  /// Waits (bounded) until stdout contains `text`; returns stdout so far, or "" on timeout.
  std::string wait_for_output(const std::string& text, std::chrono::milliseconds timeout);
  /// The port from a "listening on http://127.0.0.1:PORT" line on stdout or stderr, waiting at
  /// most 10 s; 0 if none.
  int wait_for_port();
  void signal(int sig);
  /// Waits for exit; returns the exit code, or -1 if still running at the deadline.
  int wait(std::chrono::milliseconds timeout);
  std::string out() const;
  std::string err() const;

 private:
  pid_t pid_ = -1;
  std::string out_path_;
  std::string err_path_;
  int exit_code_ = -1;
  bool exited_ = false;
};

}  // namespace idem::test
