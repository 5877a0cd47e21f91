// Verifies several endpoints of one service in one run: the conformance runner once per
// endpoint, at most `jobs` endpoints at a time, merged into one Report whose checks name their
// endpoint. Each endpoint's run draws its own fresh keys, so runs in parallel cannot see each
// other's records. Call from one thread; on_check is called from the endpoint threads.
#pragma once

#include <vector>

#include "idem/report/report.hpp"
#include "idem/verify/runner.hpp"

namespace idem::verify {

/// Endpoints verified at once when --jobs is not given (at most this many, at most all).
inline constexpr int kDefaultEndpointJobs = 4;
/// The upper bound of --jobs: each job runs bursts of --burst connections of its own.
inline constexpr int kMaxEndpointJobs = 64;

/// The names of `endpoints` in reports: endpoint_label(), with " #2", " #3" after a name
/// already taken (a config may list one endpoint twice, e.g. with other headers).
std::vector<std::string> endpoint_labels(const std::vector<TargetSpec>& endpoints);

/// Runs `catalogue` against every endpoint of `endpoints` (complete descriptions, as
/// expand_endpoints gives), `jobs` (>= 1) at a time. The checks come out grouped per endpoint in
/// the order of `endpoints`, each with `endpoint` set; Report::endpoints lists them (endpoint_labels()). The
/// --deadline bounds the whole run: an endpoint started late gets what is left of it.
Report run_verify_endpoints(const std::vector<Scenario>& catalogue,
                            const std::vector<TargetSpec>& endpoints, const VerifyOptions& options,
                            int jobs);

}  // namespace idem::verify
