// The real `idemctl stress` writing its raw reports: the ndjson request log (one line per
// request, bounded by --ndjson-limit), the HDR interval log (read back by our decoder to the JSON
// report's counts), report paths checked before the run, and the segment flags.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "idem/stress/hdr_codec.hpp"
#include "support/process.hpp"

using namespace idem;
using namespace idem::test;
using nlohmann::json;

namespace {

std::string temp_path(const std::string& name) {
  return (std::getenv("TMPDIR") ? std::string(std::getenv("TMPDIR")) : std::string("/tmp")) +
         "/idemctl-reports-" + std::to_string(::getpid()) + "-" + name;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

json read_json(const std::string& path) {
  std::ifstream in(path);
  return json::parse(in);
}

}  // namespace

TEST_CASE("stress reports: ndjson has one line per request with the documented fields",
          "[cli][stress][ndjson]") {
  const std::string nd = temp_path("requests.ndjson");
  const std::string js = temp_path("requests.json");
  const auto r = run_process({IDEMCTL_BINARY, "stress", "-q", "--keys", "120", "--dups", "2",
                              "-c", "4", "--mix", "missing-key=10%,mismatch=10%", "--report",
                              "ndjson=" + nd, "--report", "json=" + js});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const json report = read_json(js);
  const auto lines = read_lines(nd);
  CHECK(static_cast<long long>(lines.size()) == report["sent"].get<long long>());
  std::map<std::string, int> sends_per_key;
  std::set<std::string> mismatched;
  std::map<std::string, uint64_t> kinds;
  uint64_t answered = 0;
  int64_t previous = -1;
  for (const auto& line : lines) {
    const json l = json::parse(line);
    for (const char* field : {"sent_us", "sent_unix_us", "intended_us", "key", "kind", "status",
                              "latency_us", "outcome", "error"}) {
      INFO(line);
      REQUIRE(l.contains(field));
    }
    CHECK(l["sent_us"].get<int64_t>() >= previous);  // in send order
    previous = l["sent_us"].get<int64_t>();
    CHECK(l["intended_us"].is_null());  // closed model
    CHECK(l["status"].is_null() == l["latency_us"].is_null());
    if (!l["status"].is_null()) ++answered;
    ++kinds[l["kind"].get<std::string>()];
    if (l["kind"] == "missing-key") {
      CHECK(l["key"].is_null());
    } else {
      ++sends_per_key[l["key"].get<std::string>()];
      if (l["kind"] == "mismatch") mismatched.insert(l["key"].get<std::string>());
    }
  }
  CHECK(answered == report["answered"].get<uint64_t>());
  for (const auto& [kind, latency] : report["latency_us"]["by_kind"].items()) {
    CHECK(kinds[kind] == latency["count"].get<uint64_t>());
  }
  // --dups 2: every keyed operation was sent twice with its key, a mismatch operation then once
  // more with another body.
  CHECK_FALSE(mismatched.empty());
  for (const auto& [key, n] : sends_per_key) {
    INFO(key);
    CHECK(n == (mismatched.count(key) == 1 ? 3 : 2));
  }
  std::remove(nd.c_str());
  std::remove(js.c_str());
}

TEST_CASE("stress reports: --ndjson-limit caps the request log and a warning says how much is missing",
          "[cli][stress][ndjson]") {
  const std::string nd = temp_path("capped.ndjson");
  const std::string js = temp_path("capped.json");
  const auto r = run_process({IDEMCTL_BINARY, "stress", "-q", "-n", "300", "-t", "2", "-c", "4",
                              "--ndjson-limit", "50", "--report", "ndjson=" + nd, "--report",
                              "json=" + js});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(read_lines(nd).size() == 50);
  const json report = read_json(js);
  const auto missing = report["sent"].get<long long>() - 50;
  REQUIRE(missing > 0);
  bool warned = false;
  for (const auto& w : report["warnings"]) {
    const auto text = w.get<std::string>();
    warned |= text.find("stopped at 50 lines") != std::string::npos &&
              text.find(std::to_string(missing) + " requests") != std::string::npos;
  }
  CHECK(warned);
  const auto bad = run_process({IDEMCTL_BINARY, "stress", "-q", "-n", "10", "--ndjson-limit", "0"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--ndjson-limit"));
  std::remove(nd.c_str());
  std::remove(js.c_str());
}

TEST_CASE("stress reports: a report path that cannot be written exits 2 before the load starts",
          "[cli][stress]") {
  for (const std::string kind : {"json", "ndjson", "hdr"}) {
    const auto r = run_process({IDEMCTL_BINARY, "stress", "-q", "-d", "30s", "--report",
                                kind + "=/nonexistent-dir/report"});
    INFO(kind << ": " << r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--report") && Catch::Contains("/nonexistent-dir/report"));
    CHECK_THAT(r.out, !Catch::Contains("RESULT"));  // no load ran
  }
}

TEST_CASE("stress reports: the HDR interval log decodes to the JSON report's histograms",
          "[cli][stress][hdr]") {
  const std::string hdr = temp_path("latency.hdr");
  const std::string js = temp_path("latency.json");
  const auto r = run_process({IDEMCTL_BINARY, "stress", "-q", "--keys", "300", "--dups", "3",
                              "-c", "6", "--mix", "mismatch=10%,failure=10%", "--report",
                              "hdr=" + hdr, "--report", "json=" + js});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto lines = read_lines(hdr);
  REQUIRE(lines.size() > 5);
  CHECK(lines[0] == "#[Histogram log format version 1.3]");
  CHECK(lines[1].rfind("#[StartTime: ", 0) == 0);
  CHECK(lines[2].rfind("#[BaseTime: ", 0) == 0);
  CHECK(lines[4] == "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"");
  std::map<std::string, Histogram> by_tag;
  for (size_t i = 5; i < lines.size(); ++i) {
    std::string line = lines[i];
    std::string tag;
    if (line.rfind("Tag=", 0) == 0) {
      tag = line.substr(4, line.find(',') - 4);
      line = line.substr(line.find(',') + 1);
    }
    std::vector<std::string> fields;
    std::stringstream ss(line);
    for (std::string f; std::getline(ss, f, ',');) fields.push_back(f);
    REQUIRE(fields.size() == 4);
    auto counts = decode_hdr_base64(fields[3]);
    INFO(line);
    REQUIRE(counts);
    Histogram interval;
    for (const auto& [index, count] : *counts) interval.add_counts(index, count);
    // Interval_Max is the interval's highest equivalent max, in milliseconds.
    CHECK(std::stod(fields[2]) == Approx(static_cast<double>(interval.max()) / 1000.0).margin(0.0005));
    CHECK(std::stod(fields[1]) == 1.0);
    by_tag[tag].merge(interval);
  }
  const json report = read_json(js);
  const auto check = [&](const Histogram& h, const json& ours) {
    REQUIRE(ours.is_object());
    CHECK(h.total() == ours["count"].get<uint64_t>());
    for (const char* p : {"p50", "p90", "p99", "p99_9"}) {
      const double percentile = std::string(p) == "p99_9" ? 99.9 : std::stod(std::string(p).substr(1));
      INFO(p);
      // Ours never exceeds the exact max; the log's only knows the max's bucket.
      CHECK(h.value_at_percentile(percentile) ==
            Histogram::highest_equivalent(ours[p].get<int64_t>()));
    }
  };
  check(by_tag[""], report["latency_us"]["measured"]);
  for (const auto& [kind, latency] : report["latency_us"]["by_kind"].items()) {
    INFO(kind);
    REQUIRE(by_tag.count(kind) == 1);
    check(by_tag[kind], latency);
  }
  CHECK(by_tag.size() == report["latency_us"]["by_kind"].size() + 1);
  std::remove(hdr.c_str());
  std::remove(js.c_str());
}

TEST_CASE("stress reports: bad segment flags exit 2 with one line naming the flag or variable",
          "[cli][stress][segment]") {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--segment", "3/3"}, "--segment"},
      {{"--segment", "0/0"}, "--segment"},
      {{"--segment", "1"}, "--segment"},
      {{"--segment", "-1/2"}, "--segment"},
      {{"--segment", "a/b"}, "--segment"},
      {{"--segments", "0"}, "--segments"},
      {{"--segments", "3"}, "JOB_COMPLETION_INDEX"},
      {{"--segment", "0/2", "--segments", "2"}, "--segment"},
      {{"--segment", "19/20", "-c", "8"}, "--connections"},
  };
  for (const auto& [flags, named] : cases) {
    std::vector<std::string> args = {"/usr/bin/env", "-u", "JOB_COMPLETION_INDEX",
                                     IDEMCTL_BINARY, "stress", "-q", "-n", "40"};
    args.insert(args.end(), flags.begin(), flags.end());
    const auto r = run_process(args);
    INFO(flags.front() << " " << flags.at(1) << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_THAT(r.err, Catch::Contains(named));
  }
  for (const std::string index : {"3", "x", "-1", ""}) {
    const auto r = run_process({"/usr/bin/env", "JOB_COMPLETION_INDEX=" + index, IDEMCTL_BINARY,
                                "stress", "-q", "-n", "40", "--segments", "3"});
    INFO(index << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("JOB_COMPLETION_INDEX"));
  }
}

TEST_CASE("stress reports: a segment takes its share of -n and keys of its own",
          "[cli][stress][segment]") {
  const std::string nd = temp_path("segment.ndjson");
  const std::string js = temp_path("segment.json");
  const auto r = run_process({"/usr/bin/env", "JOB_COMPLETION_INDEX=2", IDEMCTL_BINARY, "stress",
                              "-q", "-n", "100", "-c", "6", "--segments", "3", "--report",
                              "ndjson=" + nd, "--report", "json=" + js});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const json report = read_json(js);
  CHECK(report["sent"].get<long long>() == 33);  // 100 = 34 + 33 + 33
  CHECK(report["config"]["connections"].get<int>() == 2);
  CHECK(report["segment"]["index"].get<int>() == 2);
  CHECK(report["segment"]["count"].get<int>() == 3);
  const auto lines = read_lines(nd);
  REQUIRE(lines.size() == 33);
  for (const auto& line : lines) {
    const auto key = json::parse(line)["key"].get<std::string>();
    CHECK(key.rfind("00000002-", 0) == 0);
  }
  std::remove(nd.c_str());
  std::remove(js.c_str());
}
