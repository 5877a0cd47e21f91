// A fixed Report that exercises every writer path: each verdict and level, exchanges with and
// without a transport error, long and binary bodies, XML/JSON/shell metacharacters.
#pragma once

#include "idem/report/report.hpp"

namespace idem::test {

Report sample_report();

/// Every byte value 0..255 in order, for escaping tests.
std::string all_bytes();

}  // namespace idem::test
