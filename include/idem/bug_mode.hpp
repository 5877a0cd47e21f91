// Deliberately broken behaviours of the reference server (`serve --bug NAME`), each one a defect
// seen in real idempotency middlewares, so that `verify` can be shown to catch it.
#pragma once

#include <string_view>
#include <vector>

#include "idem/result.hpp"

namespace idem {

enum class BugMode {
  None,
  NoLock,              ///< "no-lock": check-then-set; concurrent duplicates all execute
  Cache5xx,            ///< "cache-5xx": handler failures are stored and replayed forever
  NoReplay,            ///< "no-replay": a completed key executes again
  FingerprintIgnored,  ///< "fingerprint-ignored": another payload gets the old response
  ReplayAs200,         ///< "replay-as-200": replays answer 200 whatever the original status
  KeyOptional,         ///< "key-optional": requests without a key run unguarded
  LockNeverExpires,    ///< "lock-never-expires": a crashed holder leaves its key stuck on 409
  UnscopedKeys,        ///< "unscoped-keys": two callers with one key share a record
  ReplayDropsHeaders,  ///< "replay-drops-headers": replays lose Content-Type, Location, ...
};

Result<BugMode> parse_bug_mode(std::string_view text);
std::string_view to_string(BugMode mode);
/// Every mode but None, in declaration order.
const std::vector<BugMode>& all_bug_modes();

}  // namespace idem
