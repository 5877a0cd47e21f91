#include "idem/stress/stress_options.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include "idem/duration.hpp"

namespace idem {
namespace {

Error invalid(const std::string& message) { return Error{ErrorCode::InvalidArgument, message}; }

/// "2%" -> 0.02, "0.02" -> 0.02; nullopt for anything else or outside [0, 1].
std::optional<double> parse_share(std::string_view text) {
  const bool percent = text.ends_with('%');
  if (percent) text.remove_suffix(1);
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  if (percent) v /= 100.0;
  if (v < 0 || v > 1) return std::nullopt;
  return v;
}

}  // namespace

Result<StressMix> parse_mix(const std::string& text) {
  StressMix m;
  std::string_view rest = text;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const size_t eq = item.find('=');
    const std::string name(item.substr(0, eq));
    const auto share = eq == std::string_view::npos ? std::nullopt : parse_share(item.substr(eq + 1));
    double* slot = name == "missing-key"     ? &m.missing_key
                   : name == "invalid-key"   ? &m.invalid_key
                   : name == "mismatch"      ? &m.mismatch
                   : name == "failure"       ? &m.failure
                   : name == "lost-response" ? &m.lost_response
                                             : nullptr;
    if (slot == nullptr) {
      return invalid("--mix: unknown item '" + name +
                     "': expected missing-key, invalid-key, mismatch, failure or lost-response");
    }
    if (!share) {
      return invalid("--mix: invalid share in '" + std::string(item) +
                     "': expected NAME=P% (0-100%) or NAME=0.05");
    }
    *slot = *share;
  }
  const double total = m.missing_key + m.invalid_key + m.mismatch + m.failure + m.lost_response;
  if (total > 1.0 + 1e-9) return invalid("--mix: the shares add up to more than 100%");
  return m;
}

Result<RateStage> parse_stage(const std::string& text) {
  const size_t colon = text.find(':');
  if (colon == std::string::npos) {
    return invalid("--stage: invalid '" + text + "': expected DURATION:RATE, like 10s:500");
  }
  auto d = parse_duration(text.substr(0, colon));
  double rate = -1;
  const std::string r = text.substr(colon + 1);
  auto [ptr, ec] = std::from_chars(r.data(), r.data() + r.size(), rate);
  if (!d || d->count() <= 0 || ec != std::errc{} || ptr != r.data() + r.size() || rate < 0) {
    return invalid("--stage: invalid '" + text + "': expected DURATION:RATE, like 10s:500");
  }
  return RateStage{*d, rate};
}

Result<void> parse_pattern(const std::string& text, StressOptions& o) {
  if (text == "burst") {
    o.pattern = StressPattern::Burst;
  } else if (text == "retry") {
    o.pattern = StressPattern::Retry;
  } else if (text.starts_with("stagger=")) {
    auto d = parse_duration(text.substr(8));
    if (!d || d->count() <= 0) {
      return invalid("--pattern: invalid '" + text + "': expected stagger=DURATION, like stagger=20ms");
    }
    o.pattern = StressPattern::Stagger;
    o.stagger = *d;
  } else {
    return invalid("--pattern: invalid '" + text + "': expected burst, stagger=MS or retry");
  }
  return {};
}

Result<std::pair<int, int>> parse_segment(const std::string& text, const std::string& flag) {
  const auto bad = [&] {
    return invalid(flag + ": invalid '" + text + "': expected I/N with 0 <= I < N <= " +
                   std::to_string(kMaxSegments));
  };
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return bad();
  int index = -1, count = 0;
  const char* end = text.data() + text.size();
  auto [p1, e1] = std::from_chars(text.data(), text.data() + slash, index);
  auto [p2, e2] = std::from_chars(text.data() + slash + 1, end, count);
  if (e1 != std::errc{} || p1 != text.data() + slash || e2 != std::errc{} || p2 != end ||
      slash == 0 || slash + 1 == text.size()) {
    return bad();
  }
  if (count < 1 || count > kMaxSegments || index < 0 || index >= count) return bad();
  return std::pair{index, count};
}

Result<void> apply_segment(StressOptions& o, int index, int count) {
  if (count < 1 || index < 0 || index >= count) return invalid("--segment: expected 0 <= I < N");
  o.segment_index = index;
  o.segment_count = count;
  if (count == 1) return {};
  // Segment i takes the i-th share of a total split as evenly as whole numbers allow, so the
  // segments' parts add up to the whole.
  const auto share = [&](long long total) {
    return total / count + (index < total % count ? 1 : 0);
  };
  if (o.open_model()) {
    o.rate /= count;
    for (RateStage& s : o.stages) s.rate /= count;
  } else {
    const auto c = static_cast<int>(share(o.connections));
    if (c < 1) {
      return invalid("--connections: " + std::to_string(o.connections) +
                     " connections cannot be split over " + std::to_string(count) +
                     " segments (give at least one per segment)");
    }
    o.connections = c;
    o.threads = std::min(o.threads, c);
  }
  if (o.requests > 0) {
    o.requests = share(o.requests);
    if (o.requests == 0) {
      return invalid("--requests: fewer requests than segments (" + std::to_string(count) + ")");
    }
  }
  if (o.keys > 0) {
    o.keys = share(o.keys);
    if (o.keys == 0) return invalid("--keys: fewer keys than segments (" + std::to_string(count) + ")");
  }
  return {};
}

Result<void> validate_options(const StressOptions& o) {
  if (o.threads < 1 || o.threads > kMaxStressThreads) {
    return invalid("--threads: expected 1 to " + std::to_string(kMaxStressThreads));
  }
  if (o.connections < o.threads || o.connections > kMaxStressConnections) {
    return invalid("--connections: expected at least one per thread and at most " +
                   std::to_string(kMaxStressConnections));
  }
  if (o.dups < 1 || o.dups > kMaxDupsPerKey) {
    return invalid("--dups: expected 1 to " + std::to_string(kMaxDupsPerKey));
  }
  if (o.keys < 0 || o.keys > kMaxStressKeys) {
    return invalid("--keys: expected 1 to " + std::to_string(kMaxStressKeys));
  }
  if (o.requests < 0) return invalid("--requests: expected a positive count");
  if (o.rate < 0) return invalid("--rate: expected requests per second > 0");
  if (o.duration.count() <= 0 && o.requests == 0 && o.keys == 0 && o.stages.empty()) {
    return invalid("-d/--duration, -n/--requests or --keys: give at least one, so the run ends");
  }
  if (o.timeout.count() <= 0 || o.connect_timeout.count() <= 0) {
    return invalid("--timeout, --connect-timeout: expected > 0");
  }
  if (o.request_log_limit < 0 || o.request_log_limit > kMaxRequestLogLimit) {
    return invalid("--ndjson-limit: expected 1 to " + std::to_string(kMaxRequestLogLimit));
  }
  return {};
}

}  // namespace idem
