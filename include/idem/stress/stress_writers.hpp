// Writers of a StressReport: the human summary (in the style of verify's report) and the JSON
// document of docs/stress-report.md (schema kStressReportSchema). Safe from any thread.
#pragma once

#include <ostream>

#include "idem/stress/stress_report.hpp"

namespace idem {

void write_stress_summary(const StressReport& report, std::ostream& out, bool color);
void write_stress_json(const StressReport& report, std::ostream& out);

}  // namespace idem
