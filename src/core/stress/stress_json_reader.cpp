// The reader of docs/stress-report.md for `report merge`. Every access goes through Reader,
// which knows the field's path and turns a missing or mistyped field into one message naming it.
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "idem/client/http_client.hpp"
#include "idem/stress/stress_merge.hpp"
#include "idem/stress/stress_options.hpp"

namespace idem {
namespace {

using nlohmann::json;

/// Thrown inside this file only, caught by read_stress_json().
struct BadField {
  std::string message;
};

class Reader {
 public:
  Reader(const json& j, std::string path) : j_(j), path_(std::move(path)) {}

  Reader at(const std::string& field) const {
    if (!j_.is_object()) fail("expected an object");
    const auto it = j_.find(field);
    if (it == j_.end()) throw BadField{join(field) + ": missing"};
    return Reader(*it, join(field));
  }
  Reader at(size_t i) const { return Reader(j_.at(i), path_ + "[" + std::to_string(i) + "]"); }
  bool has(const std::string& field) const { return j_.is_object() && j_.contains(field); }
  bool is_null() const { return j_.is_null(); }
  const json& raw() const { return j_; }

  uint64_t u64() const {
    if (!j_.is_number_unsigned() && !(j_.is_number_integer() && j_.get<int64_t>() >= 0)) {
      fail("expected an integer >= 0");
    }
    return j_.get<uint64_t>();
  }
  int64_t i64() const {
    if (!j_.is_number_integer()) fail("expected an integer");
    if (j_.is_number_unsigned() && j_.get<uint64_t>() > uint64_t{INT64_MAX}) fail("out of range");
    return j_.get<int64_t>();
  }
  int small_int(int lo, int hi) const {
    const int64_t v = i64();
    if (v < lo || v > hi) fail("expected " + std::to_string(lo) + " to " + std::to_string(hi));
    return static_cast<int>(v);
  }
  double number() const {
    if (!j_.is_number()) fail("expected a number");
    const double v = j_.get<double>();
    if (!std::isfinite(v)) fail("expected a finite number");
    return v;
  }
  bool boolean() const {
    if (!j_.is_boolean()) fail("expected true or false");
    return j_.get<bool>();
  }
  std::string string() const {
    if (!j_.is_string()) fail("expected a string");
    return j_.get<std::string>();
  }
  size_t array_size(size_t max) const {
    if (!j_.is_array()) fail("expected an array");
    if (j_.size() > max) fail("more than " + std::to_string(max) + " items");
    return j_.size();
  }
  std::vector<std::string> strings(size_t max) const {
    std::vector<std::string> out;
    for (size_t i = 0, n = array_size(max); i < n; ++i) out.push_back(at(i).string());
    return out;
  }
  [[noreturn]] void fail(const std::string& what) const { throw BadField{path_ + ": " + what}; }

 private:
  std::string join(const std::string& field) const {
    return path_.empty() ? field : path_ + "." + field;
  }
  const json& j_;
  std::string path_;
};

constexpr size_t kMaxListItems = 100'000;

uint64_t add_checked(uint64_t a, uint64_t b, const Reader& where) {
  uint64_t out = 0;
  if (__builtin_add_overflow(a, b, &out)) where.fail("counts overflow 64 bits");
  return out;
}

SparseCounts read_sparse(const Reader& r) {
  SparseCounts out;
  const size_t n = r.array_size(static_cast<size_t>(Histogram::kCountsLength));
  int previous = -1;
  for (size_t i = 0; i < n; ++i) {
    const Reader pair = r.at(i);
    if (pair.array_size(2) != 2) pair.fail("expected [index, count]");
    const int index = pair.at(0).small_int(0, Histogram::kCountsLength - 1);
    const uint64_t count = pair.at(1).u64();
    if (index <= previous) pair.fail("indexes must ascend");
    if (count == 0) pair.fail("expected a count > 0");
    previous = index;
    out.emplace_back(index, count);
  }
  return out;
}

Histogram read_histogram(const Reader& r) {
  Histogram h;
  if (r.is_null()) return h;
  const Reader counts = r.at("counts");
  uint64_t total = 0;
  for (const auto& [index, count] : read_sparse(counts)) {
    total = add_checked(total, count, counts);
    h.add_counts(index, count);
  }
  if (total != r.at("total").u64()) r.fail("total differs from the sum of the counts");
  if (total == 0) return h;
  const int64_t min = r.at("min").i64();
  const int64_t max = r.at("max").i64();
  const uint64_t clamped = r.at("clamped").u64();
  if (min < Histogram::kLowest || max > Histogram::kHighest || min > max || clamped > total) {
    r.fail("min, max or clamped outside the histogram");
  }
  h.restore_exact(min, max, static_cast<long double>(r.at("sum").number()), clamped);
  return h;
}

int kind_index(const std::string& name, const Reader& where) {
  for (int k = 0; k < kRequestKinds; ++k) {
    if (to_string(static_cast<RequestKind>(k)) == name) return k;
  }
  where.fail("unknown request kind '" + name + "'");
}

void read_config(const Reader& c, StressReport& r) {
  r.targets = c.at("targets").strings(1000);
  r.model = c.at("model").string();
  if (r.model != "open" && r.model != "closed") c.at("model").fail("expected open or closed");
  r.threads = c.at("threads").small_int(0, 1 << 30);
  r.connections = c.at("connections").small_int(0, 1 << 30);
  r.rate = c.at("rate").number();
  r.stages = c.at("stages").strings(1000);
  r.pattern = c.at("pattern").string();
  r.dups = c.at("dups").small_int(0, 1 << 30);
  r.keys = c.at("keys").i64();
  r.profile = c.at("profile").string();
  r.count_mode = c.at("count_mode").string();
}

void read_outcomes(const Reader& o, StressOutcomes& out) {
  out.executed = o.at("executed").u64();
  out.replayed = o.at("replayed").u64();
  out.conflict = o.at("conflict").u64();
  out.mismatch = o.at("mismatch").u64();
  out.rejected = o.at("rejected").u64();
  out.server_error = o.at("server_error").u64();
  out.failed_injected = o.at("failed_injected").u64();
  out.lost_injected = o.at("lost_injected").u64();
}

void read_invariants(const Reader& doc, StressReport& r) {
  const Reader inv = doc.at("invariants");
  if (inv.array_size(kInvariants) != static_cast<size_t>(kInvariants)) inv.fail("expected one per invariant");
  for (size_t i = 0; i < kInvariants; ++i) {
    const Reader s = inv.at(i);
    if (s.at("name").string() != to_string(static_cast<Invariant>(i))) {
      s.at("name").fail("expected " + std::string(to_string(static_cast<Invariant>(i))));
    }
    auto& out = r.invariants[i];
    out.checked = s.at("checked").boolean();
    out.reason = s.at("reason").string();
    out.observations = s.at("observations").u64();
    r.violations[i].count = s.at("violations").u64();
  }
  const Reader vio = doc.at("violations");
  for (size_t i = 0, n = vio.array_size(kInvariants); i < n; ++i) {
    const Reader v = vio.at(i);
    const std::string name = v.at("name").string();
    size_t which = kInvariants;
    for (size_t k = 0; k < kInvariants; ++k) {
      if (to_string(static_cast<Invariant>(k)) == name) which = k;
    }
    if (which == kInvariants) v.at("name").fail("unknown invariant '" + name + "'");
    if (v.at("count").u64() != r.violations[which].count) v.at("count").fail("differs from invariants");
    const Reader ex = v.at("examples");
    for (size_t e = 0, m = ex.array_size(kMaxViolationExamples); e < m; ++e) {
      const Reader x = ex.at(e);
      ViolationExample out;
      out.key = x.at("key").string();
      out.kind = x.at("kind").string();
      out.detail = x.at("detail").string();
      out.at_seconds = x.at("at_s").number();
      out.request = x.at("request").string();
      out.response = x.at("response").string();
      out.curl = x.at("curl").string();
      r.violations[which].examples.push_back(std::move(out));
    }
  }
}

void read_status_classes(const Reader& classes, SecondSample& out) {
  if (!classes.raw().is_object()) classes.fail("expected an object");
  for (const auto& [name, count] : classes.raw().items()) {
    int found = -1;
    for (int c = 0; c < kStatusClasses; ++c) {
      if (to_string(static_cast<StatusClass>(c)) == name) found = c;
    }
    if (found < 0) classes.fail("unknown status class '" + name + "'");
    out.status_classes[static_cast<size_t>(found)] = classes.at(name).u64();
  }
}

void read_seconds(const Reader& doc, StressReport& r) {
  const Reader seconds = doc.at("seconds");
  const size_t n = seconds.array_size(kMaxReportSeconds);
  const Reader counts = doc.at("second_counts");
  if (counts.array_size(kMaxReportSeconds) != n) counts.fail("expected one per second");
  r.seconds.resize(n);
  r.second_counts.resize(n);
  for (size_t s = 0; s < n; ++s) {
    const Reader x = seconds.at(s);
    SecondSample& out = r.seconds[s];
    out.sent = x.at("sent").u64();
    out.answered = x.at("answered").u64();
    out.errors = x.at("errors").u64();
    out.violations = x.at("violations").u64();
    out.latency_max_us = x.at("latency_max_us").i64();
    out.latency_p50_us = x.at("latency_p50_us").i64();
    out.latency_p90_us = x.at("latency_p90_us").i64();
    out.latency_p99_us = x.at("latency_p99_us").i64();
    out.latency_sum_us = x.at("latency_mean_us").number() * static_cast<double>(out.answered);
    // Reports written before the status classes existed have none: their seconds stay at 0.
    if (x.has("status_classes")) read_status_classes(x.at("status_classes"), out);
    const Reader kinds = counts.at(s);
    if (!kinds.raw().is_object()) kinds.fail("expected an object");
    if (kinds.raw().size() > kRequestKinds) kinds.fail("more kinds than there are");
    for (const auto& [kind, list] : kinds.raw().items()) {
      const int k = kind_index(kind, kinds);
      r.second_counts[s].by_kind[static_cast<size_t>(k)] = read_sparse(kinds.at(kind));
    }
  }
}

StressReport read_report(const json& j) {
  const Reader doc(j, "");
  if (!j.is_object()) doc.fail("expected a JSON object");
  if (doc.at("schema").string() != "idemctl-stress") doc.at("schema").fail("expected idemctl-stress");
  const int64_t version = doc.at("schema_version").i64();
  if (version != kStressReportSchema) {
    throw BadField{"schema_version " + std::to_string(version) + ": expected " +
                   std::to_string(kStressReportSchema) + " (this idemctl's)"};
  }
  if (!doc.has("histograms") || !doc.has("second_counts") || !doc.has("started_at_unix_us")) {
    throw BadField{"histograms: missing (written by an idemctl that did not keep them; it cannot be merged)"};
  }
  StressReport r;
  read_config(doc.at("config"), r);
  r.interrupted = doc.at("interrupted").boolean();
  r.valid = doc.at("valid").boolean();
  r.warnings = doc.at("warnings").strings(kMaxListItems);
  r.elapsed_seconds = doc.at("elapsed_s").number();
  r.sent = doc.at("sent").u64();
  r.answered = doc.at("answered").u64();
  r.unfinished = doc.at("unfinished").u64();
  r.keys_started = doc.at("keys_started").u64();
  r.keys_prepared = doc.at("keys_prepared").u64();
  r.keys_prepared_idle = doc.at("keys_prepared_idle").u64();
  r.keys_prepared_in_run = doc.at("keys_prepared_in_run").u64();
  const Reader statuses = doc.at("statuses");
  if (!statuses.raw().is_object() || statuses.raw().size() > 1000) statuses.fail("expected an object");
  for (const auto& [code, n] : statuses.raw().items()) {
    int status = -1;
    try {
      size_t used = 0;
      status = std::stoi(code, &used);
      if (used != code.size()) status = -1;
    } catch (const std::exception&) {
      status = -1;
    }
    if (status < 0 || status > 999) statuses.fail("'" + code + "' is not an HTTP status");
    r.statuses[status] = statuses.at(code).u64();
  }
  read_outcomes(doc.at("outcomes"), r.outcomes);
  const Reader errors = doc.at("transport_errors");
  for (size_t i = 1; i < r.transport_errors.size(); ++i) {
    const std::string name(to_string(static_cast<TransportError>(i)));
    if (errors.has(name)) r.transport_errors[i] = errors.at(name).u64();
  }
  const Reader h = doc.at("histograms");
  r.latency = read_histogram(h.at("measured"));
  r.corrected_latency = read_histogram(h.at("corrected"));
  r.generator_lag = read_histogram(h.at("generator_lag"));
  const Reader by_kind = h.at("by_kind");
  if (!by_kind.raw().is_object()) by_kind.fail("expected an object");
  for (const auto& [kind, value] : by_kind.raw().items()) {
    r.latency_by_kind[static_cast<size_t>(kind_index(kind, by_kind))] = read_histogram(by_kind.at(kind));
  }
  read_invariants(doc, r);
  const Reader es = doc.at("executions_sampled");
  if (!es.is_null()) {
    r.executions_sampled.sampled = true;
    r.executions_sampled.samples = es.at("samples").u64();
    r.executions_sampled.unreadable = es.at("unreadable").u64();
    r.executions_sampled.keys_over_once = es.at("keys_over_once").u64();
    const Reader first = es.at("first_over_once_s");
    r.executions_sampled.first_over_once_s = first.is_null() ? -1 : first.number();
  }
  const Reader th = doc.at("thresholds");
  for (size_t i = 0, n = th.array_size(1000); i < n; ++i) {
    ThresholdResult t;
    t.expression = th.at(i).at("expression").string();
    t.passed = th.at(i).at("passed").boolean();
    t.actual = th.at(i).at("actual").string();
    r.thresholds.push_back(t);
  }
  read_seconds(doc, r);
  r.start_unix_us = doc.at("started_at_unix_us").i64();
  const Reader seg = doc.at("segment");
  r.segment.count = seg.at("count").small_int(1, 1 << 30);
  r.segment.index = seg.at("index").small_int(0, r.segment.count - 1);
  return r;
}

/// "line L, column C" of byte offset `at` in `text`.
std::string position(const std::string& text, size_t at) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < at && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

}  // namespace

Result<StressReport> read_stress_json(const std::string& text, const std::string& name) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    // e.byte is 1-based: the offending character.
    const size_t at = e.byte > 0 ? e.byte - 1 : 0;
    std::string what = e.what();
    const size_t colon = what.rfind(": ");
    if (colon != std::string::npos) what = what.substr(colon + 2);
    return make_error(ErrorCode::InvalidArgument,
                      name + ": " + position(text, at) + ": not JSON (" + what + ")");
  } catch (const json::exception& e) {
    // A number too large for a double (1e400) fails the parse without a position.
    std::string what = e.what();
    const size_t bracket = what.find("] ");
    if (bracket != std::string::npos) what = what.substr(bracket + 2);
    return make_error(ErrorCode::InvalidArgument, name + ": not JSON (" + what + ")");
  }
  try {
    return read_report(doc);
  } catch (const BadField& e) {
    return make_error(ErrorCode::InvalidArgument, name + ": " + e.message);
  } catch (const json::exception& e) {
    return make_error(ErrorCode::InvalidArgument, name + ": " + e.what());
  }
}

Result<StressReport> read_stress_json_file(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::InvalidArgument, path + ": cannot be read");
  in.seekg(0, std::ios::end);
  const auto size = in.tellg();
  if (size < 0) return make_error(ErrorCode::InvalidArgument, path + ": cannot be read");
  if (static_cast<size_t>(size) > max_bytes) {
    return make_error(ErrorCode::InvalidArgument,
                      path + ": larger than " + std::to_string(max_bytes) + " bytes");
  }
  in.seekg(0);
  std::string text(static_cast<size_t>(size), '\0');
  in.read(text.data(), size);
  if (!in) return make_error(ErrorCode::InvalidArgument, path + ": cannot be read");
  return read_stress_json(text, path);
}

}  // namespace idem
