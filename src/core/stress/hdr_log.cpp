#include <cstdio>
#include <ctime>

#include "idem/stress/hdr_codec.hpp"
#include "idem/stress/stress_logs.hpp"
#include "idem/version.hpp"

namespace idem {
namespace {

/// The interval's max as HdrHistogram's getMaxValue() gives it after decoding: the highest
/// value equivalent to the last non-empty bucket.
double interval_max(const SparseCounts& counts) {
  if (counts.empty()) return 0;
  const int64_t lowest = Histogram::value_at_index(counts.back().first);
  return static_cast<double>(Histogram::highest_equivalent(lowest)) / kHdrMaxValueUnitRatio;
}

void write_line(std::ostream& out, const char* tag, size_t second, const SparseCounts& counts) {
  char head[96];
  // HistogramLogWriter's "%.3f,%.3f,%.3f,%s": start (since BaseTime), length, max, histogram.
  std::snprintf(head, sizeof head, "%.3f,%.3f,%.3f,", static_cast<double>(second), 1.0,
                interval_max(counts));
  if (tag != nullptr) out << "Tag=" << tag << ",";
  out << head << encode_hdr_base64(counts) << "\n";
}

}  // namespace

void write_stress_hdr_log(const StressReport& r, std::ostream& out) {
  const double start_s = static_cast<double>(r.start_unix_us) / 1e6;
  const auto whole = static_cast<std::time_t>(r.start_unix_us / 1'000'000);
  std::tm utc{};
  gmtime_r(&whole, &utc);
  char date[64];
  std::strftime(date, sizeof date, "%a %b %d %H:%M:%S UTC %Y", &utc);
  char line[160];
  out << "#[Histogram log format version 1.3]\n";
  std::snprintf(line, sizeof line, "#[StartTime: %.3f (seconds since epoch), %s]\n", start_s, date);
  out << line;
  std::snprintf(line, sizeof line, "#[BaseTime: %.3f (seconds since epoch)]\n", start_s);
  out << line;
  out << "#[idemctl " << IDEM_VERSION
      << ": latencies in microseconds, Interval_Max in milliseconds; untagged lines are every "
         "request, Tag=<kind> lines one request kind]\n";
  out << "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n";
  for (size_t s = 0; s < r.second_counts.size(); ++s) {
    SparseCounts all;
    for (const auto& k : r.second_counts[s].by_kind) all.insert(all.end(), k.begin(), k.end());
    if (all.empty()) continue;
    add_up_sparse(all);
    write_line(out, nullptr, s, all);
    for (size_t k = 0; k < kRequestKinds; ++k) {
      const SparseCounts& counts = r.second_counts[s].by_kind[k];
      if (counts.empty()) continue;
      write_line(out, std::string(to_string(static_cast<RequestKind>(k))).c_str(), s, counts);
    }
  }
}

}  // namespace idem
