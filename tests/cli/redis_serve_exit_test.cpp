// `idemctl serve --store redis://...` start-up failures, through the real binary: an
// unreachable Redis exits 3 with one line, a malformed URL exits 2.
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <string>

namespace {

struct Run {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs the binary with `args` under a 20 s timeout (so a server that starts by mistake cannot
// hang the suite) and captures everything it prints.
Run run_idemctl(const std::string& args) {
  const std::string command =
      std::string("timeout 20 ") + IDEMCTL_BINARY + " " + args + " 2>&1 </dev/null";
  Run out;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.output.append(buf.data(), n);
  const int status = pclose(pipe);
  REQUIRE(WIFEXITED(status));
  out.exit_code = WEXITSTATUS(status);
  return out;
}

long count_lines(const std::string& s) { return std::count(s.begin(), s.end(), '\n'); }

}  // namespace

TEST_CASE("idemctl serve: a Redis with nothing listening exits 3 with one line", "[redis][cli]") {
  const Run r = run_idemctl("serve --listen 127.0.0.1:0 --store redis://127.0.0.1:1");
  INFO(r.output);
  CHECK(r.exit_code == 3);
  CHECK(count_lines(r.output) == 1);
  CHECK_THAT(r.output, Catch::Contains("127.0.0.1:1"));
}

TEST_CASE("idemctl serve: --wait-for-store retries for that long before exiting 3",
          "[redis][cli]") {
  const auto start = std::chrono::steady_clock::now();
  const Run r = run_idemctl(
      "serve --listen 127.0.0.1:0 --store redis://127.0.0.1:1 --wait-for-store 600ms");
  const auto took = std::chrono::steady_clock::now() - start;
  INFO(r.output);
  CHECK(r.exit_code == 3);
  CHECK(count_lines(r.output) == 1);
  CHECK(took >= std::chrono::milliseconds(500));
}

TEST_CASE("idemctl serve: a malformed Redis URL exits 2 naming what is wrong", "[redis][cli]") {
  const Run r = run_idemctl("serve --listen 127.0.0.1:0 --store redis://bad:url:x");
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK(count_lines(r.output) == 1);
  CHECK_THAT(r.output, Catch::Contains("port 'url:x'"));
}
