// Reading stress reports back from their JSON (docs/stress-report.md) and merging the reports of
// one run split over segments (`idemctl report merge`): histograms bucket by bucket, counters and
// violations exactly, per-second series aligned by their wall-clock start. The reader treats its
// input as hostile: every field is checked for type and range, and a bad one is named. Pure
// functions, any thread.
#pragma once

#include <string>
#include <vector>

#include "idem/result.hpp"
#include "idem/stress/stress_report.hpp"

namespace idem {

/// Report files larger than this are refused before they are parsed.
inline constexpr size_t kMaxReportFileBytes = size_t{256} << 20;
/// Seconds a report's series may have (a week of load).
inline constexpr size_t kMaxReportSeconds = 7 * 24 * 3600;

/// The report in `text`, read from the file `name` (for messages). InvalidArgument
/// "NAME: line L, column C: ..." for malformed JSON, "NAME: FIELD: expected ..." for a field of
/// the wrong type or range, and "NAME: schema_version N: expected 1" for another version.
/// Thresholds come back as their expressions and verdicts.
Result<StressReport> read_stress_json(const std::string& text, const std::string& name);
/// The same from a file; InvalidArgument when it cannot be read or is larger than `max_bytes`.
Result<StressReport> read_stress_json_file(const std::string& path,
                                           size_t max_bytes = kMaxReportFileBytes);

/// One report of every input, as if one generator had run them all: counts and histograms added,
/// seconds aligned by start time (to the whole second), violations' examples kept up to
/// kMaxViolationExamples. Thresholds are not evaluated here (the caller re-parses their
/// expressions). InvalidArgument naming the file when the targets or the model differ from the
/// first report's, or two reports are the same segment or of different splits.
Result<StressReport> merge_stress_reports(const std::vector<StressReport>& reports,
                                          const std::vector<std::string>& names);

}  // namespace idem
