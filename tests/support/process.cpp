#include "support/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace idem::test {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string temp_path(const char* suffix) {
  std::string pattern = "/tmp/idemctl-test-XXXXXX";
  const int fd = mkstemp(pattern.data());
  if (fd >= 0) close(fd);
  return pattern + suffix;
}

pid_t spawn(const std::vector<std::string>& args, const std::string& out, const std::string& err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + args[0]);
  return pid;
}

// Polls for the child's exit until `deadline`; the polling interval is the wait's granularity,
// not a synchronisation guess.
bool wait_until(pid_t pid, std::chrono::steady_clock::time_point deadline, int& exit_code) {
  while (true) {
    int status = 0;
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  const std::string out = temp_path(".out");
  const std::string err = temp_path(".err");
  const pid_t pid = spawn(args, out, err);
  ProcessResult result;
  if (!wait_until(pid, std::chrono::steady_clock::now() + timeout, result.exit_code)) {
    kill(pid, SIGKILL);
    int ignored = 0;
    wait_until(pid, std::chrono::steady_clock::now() + std::chrono::seconds(5), ignored);
    result.exit_code = -1;
  }
  result.out = read_file(out);
  result.err = read_file(err);
  std::remove(out.c_str());
  std::remove(err.c_str());
  return result;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& args)
    : out_path_(temp_path(".out")), err_path_(temp_path(".err")) {
  pid_ = spawn(args, out_path_, err_path_);
}

BackgroundProcess::~BackgroundProcess() {
  if (!exited_) {
    kill(pid_, SIGKILL);
    wait(std::chrono::seconds(5));
  }
  std::remove(out_path_.c_str());
  std::remove(err_path_.c_str());
}

std::string BackgroundProcess::wait_for_output(const std::string& text,
                                               std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::string s = read_file(out_path_);
    if (s.find(text) != std::string::npos) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return "";
}

int BackgroundProcess::wait_for_port() {
  // On stdout, or on stderr when stdout is reserved for a machine-readable log.
  static const std::regex re(R"(listening on https?://[^:]+:(\d+))");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    for (const std::string& text : {read_file(out_path_), read_file(err_path_)}) {
      std::smatch m;
      if (std::regex_search(text, m, re)) return std::stoi(m[1]);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return 0;
}

void BackgroundProcess::signal(int sig) { kill(pid_, sig); }

int BackgroundProcess::wait(std::chrono::milliseconds timeout) {
  if (exited_) return exit_code_;
  if (wait_until(pid_, std::chrono::steady_clock::now() + timeout, exit_code_)) exited_ = true;
  return exited_ ? exit_code_ : -1;
}

std::string BackgroundProcess::out() const { return read_file(out_path_); }
std::string BackgroundProcess::err() const { return read_file(err_path_); }

}  // namespace idem::test
