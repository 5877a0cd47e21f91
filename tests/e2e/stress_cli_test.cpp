// The real `idemctl stress`: the embedded server passes, a breached threshold exits 1, bad flags
// exit 2 with one line, Ctrl-C exits 130 with a partial report, and the JSON report matches its
// golden file once volatile fields are filtered. Set IDEM_UPDATE_GOLDEN=1 to rewrite it.
#include <signal.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/process.hpp"

using namespace idem::test;
using nlohmann::json;

namespace {

std::string temp_path(const std::string& name) {
  return (std::getenv("TMPDIR") ? std::string(std::getenv("TMPDIR")) : std::string("/tmp")) +
         "/idemctl-" + std::to_string(::getpid()) + "-" + name;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Times, rates, latencies, the port and the version vary between runs; everything else is the
// behaviour under test.
json filtered(json doc) {
  doc["idemctl"] = "VERSION";
  doc["idemctl_revision"] = "REVISION";
  doc["config"]["targets"] = {"http://127.0.0.1:PORT"};
  doc["elapsed_s"] = 0;
  doc["rps"] = 0;
  doc["valid"] = true;
  doc["warnings"] = json::array();
  for (auto& [kind, h] : doc["latency_us"].items()) {
    if (kind == "by_kind") {
      for (auto& [name, k] : h.items()) {
        for (auto& [field, v] : k.items()) v = field == "count" ? v : json(0);
      }
    } else if (h.is_object()) {
      for (auto& [field, v] : h.items()) v = field == "count" ? v : json(0);
    }
  }
  doc["generator"] = {{"lag_p99_us", 0}, {"lag_max_us", 0}};
  // How many counter reads the sampler made depends on the run's length.
  if (doc["executions_sampled"].is_object()) doc["executions_sampled"]["samples"] = 0;
  REQUIRE(doc["seconds"].is_array());
  REQUIRE_FALSE(doc["seconds"].empty());
  // The series' shape stays in the golden file: one second, every field zeroed.
  json second = doc["seconds"][0];
  for (auto& [field, v] : second.items()) {
    if (v.is_object()) {
      for (auto& [name, n] : v.items()) n = 0;
    } else {
      v = 0;
    }
  }
  doc["seconds"] = json::array({second});
  // The merge material: keep which histograms exist and their totals, not their buckets.
  doc["started_at_unix_us"] = 0;
  const auto zero_buckets = [](json& h) {
    if (!h.is_object()) return;
    for (const char* field : {"min", "max", "sum"}) h[field] = 0;
    h["counts"] = json::array();
  };
  for (auto& [name, h] : doc["histograms"].items()) {
    if (name == "by_kind") {
      for (auto& [kind, k] : h.items()) zero_buckets(k);
    } else {
      zero_buckets(h);
    }
  }
  doc["second_counts"] = json::array();
  return doc;
}

}  // namespace

TEST_CASE("stress CLI: the embedded reference server passes and the summary says so",
          "[cli][stress]") {
  const auto r = run_process({IDEMCTL_BINARY, "stress", "-q", "--keys", "200", "--dups", "3",
                              "-c", "8", "--mix", "missing-key=5%,mismatch=5%,failure=5%"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("RESULT: PASS"));
  CHECK_THAT(r.out, Catch::Contains("HOLD  exactly-once"));
  CHECK_THAT(r.out, Catch::Contains("p99"));
}

TEST_CASE("stress CLI: a breached threshold exits 1 and is named", "[cli][stress]") {
  const auto r = run_process({IDEMCTL_BINARY, "stress", "-q", "-n", "200", "--threshold",
                              "rps>100000000", "--threshold", "errors<1%"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("FAIL  threshold rps>100000000"));
  CHECK_THAT(r.out, Catch::Contains("PASS  threshold errors<1%"));
}

TEST_CASE("stress CLI: bad flags exit 2 with one line naming the flag", "[cli][stress]") {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--mix", "bogus=1%", "-n", "1"}, "--mix"},
      {{"--mix", "failure=150%", "-n", "1"}, "--mix"},
      {{"--pattern", "sometimes", "-n", "1"}, "--pattern"},
      {{"--threshold", "p99~5ms", "-n", "1"}, "--threshold"},
      {{"--stage", "fast", "-n", "1"}, "--stage"},
      {{"-t", "0", "-n", "1"}, "--threads"},
      {{"-d", "soon"}, "--duration"},
      {{"--report", "xml=out.xml", "-n", "1"}, "--report"},
      {{"-c", "4"}, "--duration"},
  };
  for (const auto& [flags, named] : cases) {
    std::vector<std::string> args = {IDEMCTL_BINARY, "stress", "-q"};
    args.insert(args.end(), flags.begin(), flags.end());
    const auto r = run_process(args);
    INFO(flags.front() << " " << flags.at(1) << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_THAT(r.err, Catch::Contains(named));
  }
}

TEST_CASE("stress CLI: Ctrl-C stops the load, prints the partial report and exits 130",
          "[cli][stress]") {
  const std::string file = temp_path("interrupted.json");
  BackgroundProcess p({IDEMCTL_BINARY, "stress", "-d", "60s", "-c", "4", "--report",
                       "json=" + file});
  // Without a terminal a progress line comes every 5 s: once it is there, requests were sent.
  REQUIRE_FALSE(p.wait_for_output("progress", std::chrono::seconds(15)).empty());
  p.signal(SIGINT);
  CHECK(p.wait(std::chrono::seconds(20)) == 130);
  CHECK_THAT(p.out(), Catch::Contains("INTERRUPTED"));
  const json doc = json::parse(read_file(file));
  CHECK(doc["interrupted"] == true);
  CHECK(doc["sent"].get<long long>() > 0);
  std::remove(file.c_str());
}

TEST_CASE("stress CLI: the JSON report matches the golden file", "[cli][stress]") {
  const std::string file = temp_path("report.json");
  const auto r = run_process({IDEMCTL_BINARY, "stress", "-q", "--keys", "50", "-t", "1", "-c",
                              "2", "--report", "json=" + file});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const json doc = json::parse(read_file(file));
  std::remove(file.c_str());
  CHECK(doc["sent"] == 50);
  CHECK(doc["answered"] == 50);
  const std::string got = filtered(doc).dump(2) + "\n";
  const std::string golden = std::string(IDEM_SOURCE_DIR) + "/tests/golden/stress_report.json";
  if (std::getenv("IDEM_UPDATE_GOLDEN") != nullptr) std::ofstream(golden, std::ios::binary) << got;
  CHECK(got == read_file(golden));
}

TEST_CASE("stress CLI: help stress describes the load, shape and target flags", "[cli][stress]") {
  const auto r = run_process({IDEMCTL_BINARY, "help", "stress"});
  CHECK(r.exit_code == 0);
  for (const char* flag : {"--threads", "--connections", "--rate", "--stage", "--duration",
                           "--requests", "--keys", "--dups", "--pattern", "--mix", "--report",
                           "--threshold", "--quiet", "--target", "--config", "--profile",
                           "--key-format", "--executions-url", "--resource-id"}) {
    CHECK_THAT(r.out, Catch::Contains(flag));
  }
}
