#include "idem/stress/threshold.hpp"

#include <charconv>
#include <cstdio>
#include <optional>

namespace idem {
namespace {

Error bad(const std::string& text) {
  return Error{ErrorCode::InvalidArgument,
               "--threshold: invalid '" + text +
                   "': expected like p99<50ms, max<2s, mean<5ms, errors<0.1%, rps>1000"};
}

std::optional<double> number(std::string_view text) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || ptr != text.data() + text.size() || text.empty() || v < 0) {
    return std::nullopt;
  }
  return v;
}

/// "50ms", "1.5s", "800us" -> µs.
std::optional<double> latency_us(std::string_view text) {
  const std::pair<std::string_view, double> units[] = {{"us", 1}, {"ms", 1e3}, {"s", 1e6}};
  for (const auto& [suffix, scale] : units) {
    if (!text.ends_with(suffix)) continue;
    auto v = number(text.substr(0, text.size() - suffix.size()));
    if (v) return *v * scale;
    return std::nullopt;
  }
  return std::nullopt;
}

std::string format_us(double us) {
  char buf[32];
  if (us >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.2fs", us / 1e6);
  } else if (us >= 1e3) {
    std::snprintf(buf, sizeof buf, "%.2fms", us / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.0fus", us);
  }
  return buf;
}

}  // namespace

Result<Threshold> parse_threshold(const std::string& text) {
  Threshold t;
  t.expression = text;
  const size_t at = text.find_first_of("<>");
  if (at == std::string::npos || at == 0) return bad(text);
  const std::string metric = text.substr(0, at);
  size_t value_at = at + 1;
  const bool equal = value_at < text.size() && text[value_at] == '=';
  if (equal) ++value_at;
  t.op = text[at] == '<' ? (equal ? Threshold::Op::LessEqual : Threshold::Op::Less)
                         : (equal ? Threshold::Op::GreaterEqual : Threshold::Op::Greater);
  const std::string_view value = std::string_view(text).substr(value_at);
  std::optional<double> limit;
  if (metric == "rps") {
    t.metric = Threshold::Metric::Rps;
    limit = number(value);
  } else if (metric == "errors") {
    t.metric = Threshold::Metric::Errors;
    t.relative = value.ends_with('%');
    limit = number(t.relative ? value.substr(0, value.size() - 1) : value);
    if (limit && t.relative) *limit /= 100.0;
  } else if (metric == "max" || metric == "mean") {
    t.metric = metric == "max" ? Threshold::Metric::Max : Threshold::Metric::Mean;
    limit = latency_us(value);
  } else if (metric.size() > 1 && metric[0] == 'p') {
    auto p = number(std::string_view(metric).substr(1));
    if (!p || *p <= 0 || *p > 100) return bad(text);
    t.metric = Threshold::Metric::Percentile;
    t.percentile = *p;
    limit = latency_us(value);
  }
  if (!limit) return bad(text);
  t.limit = *limit;
  return t;
}

ThresholdResult evaluate_threshold(const Threshold& t, const StressReport& r) {
  ThresholdResult out;
  out.expression = t.expression;
  const Histogram& h = r.model == "open" ? r.corrected_latency : r.latency;
  double actual = 0;
  std::string shown;
  switch (t.metric) {
    case Threshold::Metric::Percentile: {
      actual = static_cast<double>(h.value_at_percentile(t.percentile));
      char name[16];
      std::snprintf(name, sizeof name, "p%g", t.percentile);
      shown = std::string(name) + " = " + format_us(actual);
      break;
    }
    case Threshold::Metric::Max:
      actual = static_cast<double>(h.max());
      shown = "max = " + format_us(actual);
      break;
    case Threshold::Metric::Mean:
      actual = h.mean();
      shown = "mean = " + format_us(actual);
      break;
    case Threshold::Metric::Errors: {
      actual = t.relative ? r.error_ratio() : r.error_ratio() * static_cast<double>(r.sent);
      char buf[48];
      if (t.relative) {
        std::snprintf(buf, sizeof buf, "errors = %.3f%%", actual * 100);
      } else {
        std::snprintf(buf, sizeof buf, "errors = %.0f", actual);
      }
      shown = buf;
      break;
    }
    case Threshold::Metric::Rps: {
      actual = r.rps();
      char buf[48];
      std::snprintf(buf, sizeof buf, "rps = %.1f", actual);
      shown = buf;
      break;
    }
  }
  switch (t.op) {
    case Threshold::Op::Less:
      out.passed = actual < t.limit;
      break;
    case Threshold::Op::LessEqual:
      out.passed = actual <= t.limit;
      break;
    case Threshold::Op::Greater:
      out.passed = actual > t.limit;
      break;
    case Threshold::Op::GreaterEqual:
      out.passed = actual >= t.limit;
      break;
  }
  out.actual = shown;
  return out;
}

}  // namespace idem
