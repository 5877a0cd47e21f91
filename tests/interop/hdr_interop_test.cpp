// Interoperability of `--report hdr`: a real stress run against a real `idemctl serve` on
// loopback, its interval log decoded by hdr-histogram-js (HdrHistogram's JavaScript port, pinned
// in tests/interop/package-lock.json and installed by the hdr_interop_npm_ci fixture). Per tag,
// its total count equals ours and its p50/p90/p99/p99.9/max equal ours at the histogram's
// precision (its own highestEquivalentValue of our figure: ours are never above the exact max).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/process.hpp"

using namespace idem::test;
using nlohmann::json;

TEST_CASE("hdr interop: hdr-histogram-js decodes our interval log to our percentiles and counts",
          "[interop][.]") {
  const char* dir = std::getenv("IDEM_TEST_HDRJS_DIR");
  // Run through ctest: its fixture installs hdr-histogram-js. Not skipped when missing.
  REQUIRE(dir != nullptr);
  const std::string script = std::string(dir) + "/hdr_decode.js";
  REQUIRE(std::ifstream(script).good());
  const std::string base = std::string(dir) + "/run-" + std::to_string(::getpid());
  const std::string hdr = base + ".hdr", js = base + ".json";

  BackgroundProcess serve({IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0", "-q"});
  const int port = serve.wait_for_port();
  REQUIRE(port > 0);
  const auto run = run_process(
      {IDEMCTL_BINARY, "stress", "-q", "--target", "http://127.0.0.1:" + std::to_string(port),
       "--keys", "1500", "--dups", "3", "-c", "8", "--mix", "mismatch=5%,missing-key=5%",
       "--report", "json=" + js, "--report", "hdr=" + hdr});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  json ours;
  std::ifstream(js) >> ours;

  // Our figures per tag ("" = untagged = every request), for the decoder to map to its
  // highest equivalent values.
  std::map<std::string, json> figures = {{"", ours["latency_us"]["measured"]}};
  for (const auto& [kind, latency] : ours["latency_us"]["by_kind"].items()) figures[kind] = latency;
  const std::vector<std::string> fields = {"p50", "p90", "p99", "p99_9", "max"};
  json values = json::object();
  for (const auto& [tag, f] : figures) {
    json v = json::array();
    for (const auto& field : fields) v.push_back(f[field]);
    values[tag] = v;
  }
  const auto decoded = run_process({"/usr/bin/env", "node", script, hdr, values.dump()});
  INFO(decoded.err);
  REQUIRE(decoded.exit_code == 0);
  const json theirs = json::parse(decoded.out);
  INFO(decoded.out);
  CHECK(theirs["tags"].size() == figures.size());
  CHECK(theirs["start_time_s"].get<double>() ==
        Approx(ours["started_at_unix_us"].get<double>() / 1e6).margin(0.001));
  for (const auto& [tag, f] : figures) {
    INFO("tag '" << tag << "'");
    REQUIRE(theirs["tags"].contains(tag));
    const json& t = theirs["tags"][tag];
    CHECK(t["count"].get<uint64_t>() == f["count"].get<uint64_t>());
    for (size_t i = 0; i < fields.size(); ++i) {
      INFO(fields[i] << ": ours " << f[fields[i]] << ", theirs " << t[fields[i]]);
      CHECK(t[fields[i]].get<int64_t>() == t["highest_equivalent"][i].get<int64_t>());
    }
  }
  std::remove(hdr.c_str());
  std::remove(js.c_str());
}
