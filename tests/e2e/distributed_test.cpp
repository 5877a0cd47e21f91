// docs/distributed.md on one machine: three `idemctl stress --segment i/3` processes at once
// against one real `idemctl serve`, then `idemctl report merge`. The merged totals are the sums,
// the merged p99 is the p99 of all three runs' raw (ndjson) latencies at the histogram's
// precision, and no key was sent by two segments. Also merge's exit codes on bad input.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "idem/stress/histogram.hpp"
#include "support/process.hpp"

using namespace idem::test;
using nlohmann::json;

namespace {

std::string temp_path(const std::string& name) {
  return (std::getenv("TMPDIR") ? std::string(std::getenv("TMPDIR")) : std::string("/tmp")) +
         "/idemctl-dist-" + std::to_string(::getpid()) + "-" + name;
}

json read_json(const std::string& path) {
  std::ifstream in(path);
  return json::parse(in);
}

}  // namespace

TEST_CASE("distributed: three segments against one serve merge exactly", "[cli][stress][merge]") {
  BackgroundProcess serve({IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0", "-q"});
  const int port = serve.wait_for_port();
  REQUIRE(port > 0);
  const std::string target = "http://127.0.0.1:" + std::to_string(port);
  std::vector<std::unique_ptr<BackgroundProcess>> segments;
  std::vector<std::string> jsons, ndjsons;
  for (int i = 0; i < 3; ++i) {
    jsons.push_back(temp_path("seg" + std::to_string(i) + ".json"));
    ndjsons.push_back(temp_path("seg" + std::to_string(i) + ".ndjson"));
    segments.push_back(std::make_unique<BackgroundProcess>(std::vector<std::string>{
        IDEMCTL_BINARY, "stress", "-q", "--target", target, "--segment",
        std::to_string(i) + "/3", "-n", "1500", "-c", "6", "--dups", "2", "--threshold",
        "p99<10s", "--report", "json=" + jsons.back(), "--report", "ndjson=" + ndjsons.back()}));
  }
  for (auto& s : segments) {
    INFO(s->out() << s->err());
    REQUIRE(s->wait(std::chrono::seconds(60)) == 0);
  }
  const std::string merged_path = temp_path("merged.json");
  const auto merge = run_process({IDEMCTL_BINARY, "report", "merge", jsons[0], jsons[1], jsons[2],
                                  "--report", "json=" + merged_path});
  INFO(merge.out << merge.err);
  REQUIRE(merge.exit_code == 0);
  CHECK_THAT(merge.out, Catch::Contains("RESULT: PASS"));
  const json merged = read_json(merged_path);

  uint64_t sent = 0, answered = 0, executed = 0;
  std::vector<int64_t> latencies;
  std::vector<std::set<std::string>> keys(3);
  for (int i = 0; i < 3; ++i) {
    const json seg = read_json(jsons[static_cast<size_t>(i)]);
    sent += seg["sent"].get<uint64_t>();
    answered += seg["answered"].get<uint64_t>();
    executed += seg["outcomes"]["executed"].get<uint64_t>();
    std::ifstream in(ndjsons[static_cast<size_t>(i)]);
    for (std::string line; std::getline(in, line);) {
      const json l = json::parse(line);
      if (!l["latency_us"].is_null()) latencies.push_back(l["latency_us"].get<int64_t>());
      if (!l["key"].is_null()) keys[static_cast<size_t>(i)].insert(l["key"].get<std::string>());
    }
  }
  CHECK(sent == 1500);  // -n split 500 + 500 + 500
  CHECK(merged["sent"].get<uint64_t>() == sent);
  CHECK(merged["answered"].get<uint64_t>() == answered);
  CHECK(merged["outcomes"]["executed"].get<uint64_t>() == executed);
  CHECK(merged["latency_us"]["measured"]["count"].get<uint64_t>() == latencies.size());
  CHECK(merged["config"]["connections"].get<int>() == 6);
  CHECK(merged["merged_from"].size() == 3);

  // p99 of the raw latencies by the histogram's rank rule (ceil(0.99 n)), compared at the
  // histogram's precision.
  std::sort(latencies.begin(), latencies.end());
  REQUIRE(latencies.size() > 100);
  const auto rank = static_cast<size_t>(std::ceil(0.99 * static_cast<double>(latencies.size())));
  const int64_t raw_p99 = latencies[rank - 1];
  const int64_t merged_p99 = merged["latency_us"]["measured"]["p99"].get<int64_t>();
  INFO("raw p99 " << raw_p99 << " µs, merged p99 " << merged_p99 << " µs");
  CHECK(idem::Histogram::highest_equivalent(merged_p99) ==
        idem::Histogram::highest_equivalent(raw_p99));
  CHECK(merged["latency_us"]["measured"]["max"].get<int64_t>() == latencies.back());

  for (int a = 0; a < 3; ++a) {
    CHECK(keys[static_cast<size_t>(a)].size() == 250);  // 500 sends, 2 per key
    for (int b = a + 1; b < 3; ++b) {
      std::vector<std::string> shared;
      std::set_intersection(keys[static_cast<size_t>(a)].begin(), keys[static_cast<size_t>(a)].end(),
                            keys[static_cast<size_t>(b)].begin(), keys[static_cast<size_t>(b)].end(),
                            std::back_inserter(shared));
      INFO("segments " << a << " and " << b);
      CHECK(shared.empty());
    }
  }
  REQUIRE(merged["thresholds"].size() == 1);
  CHECK(merged["thresholds"][0]["passed"] == true);
  CHECK_THAT(merged["thresholds"][0]["actual"].get<std::string>(), Catch::StartsWith("p99 = "));
  for (const auto& p : jsons) std::remove(p.c_str());
  for (const auto& p : ndjsons) std::remove(p.c_str());
  std::remove(merged_path.c_str());
}

TEST_CASE("distributed: report merge exits 2 naming the file for unreadable or foreign reports",
          "[cli][merge]") {
  const std::string a = temp_path("a.json"), b = temp_path("b.json"), bad = temp_path("bad.json");
  const auto run_a = run_process({IDEMCTL_BINARY, "stress", "-q", "-n", "20", "-c", "2",
                                  "--segment", "0/2", "--report", "json=" + a});
  REQUIRE(run_a.exit_code == 0);
  const auto run_b = run_process({IDEMCTL_BINARY, "stress", "-q", "-n", "20", "-c", "2",
                                  "--segment", "1/2", "--threshold", "rps>100000000", "--report",
                                  "json=" + b});
  REQUIRE(run_b.exit_code == 1);
  { std::ofstream(bad) << "{\n  \"schema\": \"idemctl-stress\",\n  oops\n}"; }
  const auto garbage = run_process({IDEMCTL_BINARY, "report", "merge", a, bad});
  CHECK(garbage.exit_code == 2);
  CHECK_THAT(garbage.err, Catch::Contains(bad + ": line 3, column"));
  CHECK(std::count(garbage.err.begin(), garbage.err.end(), '\n') == 1);
  // Two embedded servers: two targets, not parts of one run.
  const auto foreign = run_process({IDEMCTL_BINARY, "report", "merge", a, b});
  CHECK(foreign.exit_code == 2);
  CHECK_THAT(foreign.err, Catch::Contains(b + ": config.targets"));
  const auto missing = run_process({IDEMCTL_BINARY, "report", "merge", a, a + ".none"});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains(a + ".none"));
  // One segment alone merges, with a warning; b's threshold fails the merged run too.
  const auto partial = run_process({IDEMCTL_BINARY, "report", "merge", b});
  CHECK(partial.exit_code == 1);
  CHECK_THAT(partial.out, Catch::Contains("FAIL  threshold rps>100000000"));
  CHECK_THAT(partial.out, Catch::Contains("segments 0 of 2 are missing"));
  for (const auto& p : {a, b, bad}) std::remove(p.c_str());
}
