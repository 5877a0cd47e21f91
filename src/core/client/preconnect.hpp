// Parallel TCP connects ahead of a burst, so that requests without a body (nothing to hold back)
// can still be released together: connected first, their request written at the release.
// Plain functions; the caller owns the returned sockets.
#pragma once

#include <string>
#include <vector>

#include "idem/clock.hpp"

namespace idem::curl {

/// Connects to the host and port of each URL at once (non-blocking, IPv4 or IPv6) and waits up
/// to `timeout` for all of them. Returns one connected socket per URL, or -1 where resolving or
/// connecting failed: the caller lets curl connect on its own there, which reports the reason.
std::vector<int> preconnect(const std::vector<std::string>& urls, Millis timeout);

}  // namespace idem::curl
