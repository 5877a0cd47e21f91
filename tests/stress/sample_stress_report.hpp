// A fixed synthetic StressReport for the HTML writer's tests: 12 seconds of deterministic load
// with every status class, a latency spike, violations whose examples carry markup, thresholds
// that pass and fail, and an invariant that was not checked.
#pragma once

#include "idem/stress/stress_report.hpp"

namespace idem::test {

StressReport sample_stress_report();

/// A response body that breaks out of a <script> or an attribute if it is not escaped.
inline constexpr const char* kHostileBody =
    "</script><img src=x onerror=alert(1)>\"'&<svg onload=alert(2)>";

}  // namespace idem::test
