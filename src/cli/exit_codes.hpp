// Process exit codes: public API, documented in the README. Change them only with a major
// version.
#pragma once

namespace idem::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitChecksFailed = 1;  ///< a check failed or a threshold was breached
inline constexpr int kExitUsage = 2;         ///< bad flag, bad config or scenario file
inline constexpr int kExitUnreachable = 3;   ///< target or dependency (Redis) unreachable
inline constexpr int kExitInterrupted = 130; ///< SIGINT before the job finished

}  // namespace idem::cli
