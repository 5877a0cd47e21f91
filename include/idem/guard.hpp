// The idempotency state machine of docs/semantics.md: a request comes in, a decision comes out
// (pass through, answer now, or execute and then finish). It does no I/O but through the Store,
// so it serves the reference server today and `serve --upstream` later. Safe for concurrent
// use: it holds only immutable configuration and a Store, which is itself thread-safe.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "idem/bug_mode.hpp"
#include "idem/fingerprint.hpp"
#include "idem/http.hpp"
#include "idem/key.hpp"
#include "idem/store/store.hpp"

namespace idem {

/// What a duplicate of a request still in flight gets.
enum class InFlightPolicy {
  Conflict,  ///< 409 with Retry-After (draft-ietf-httpapi-idempotency-key-header §2.6)
  Wait,      ///< waits for the first answer, up to the lock TTL, and gets it replayed (Fiber)
};

struct GuardConfig {
  std::string key_header = "Idempotency-Key";
  KeyFormat key_format = KeyFormat::Uuid4;
  std::set<std::string> methods = {"POST", "PATCH"};  ///< upper case
  FingerprintMode fingerprint = FingerprintMode::Raw;
  std::string scope_header = "Authorization";
  bool cache_5xx = false;  ///< Stripe-v1 style: store handler failures too
  bool cache_4xx = true;
  Millis ttl = std::chrono::hours(1);
  Millis lock_ttl = std::chrono::seconds(30);
  std::vector<std::string> replay_headers;  ///< replayed besides the built-in set
  BugMode bug = BugMode::None;
  bool key_optional = false;  ///< a guarded request without a key runs unguarded (Stripe, Fiber)
  InFlightPolicy in_flight = InFlightPolicy::Conflict;
  int mismatch_status = 422;  ///< a key reused with another request (Stripe: 400)
};

/// How a request ended, for metrics and logs.
enum class Outcome {
  Passed,      ///< method not guarded (or key missing under a bug mode): handled normally
  Executed,    ///< the handler ran under a fresh claim
  Replayed,    ///< the stored response was returned
  Conflict,    ///< 409: the key is in flight
  Mismatch,    ///< 422: the key was used with another request
  Rejected,    ///< 400: missing or invalid key
  StoreError,  ///< 503: the store failed; nothing ran
  StoreFull,   ///< 503: a new key while the store is at its bound; nothing ran, nothing evicted
};
std::string_view to_string(Outcome outcome);

/// The parts of a request the guard reads; the server adapter fills it in. The views must
/// outlive the begin() call (they point into the adapter's request, so bodies are not copied).
struct GuardRequest {
  std::string_view method;
  std::string_view target;  ///< path with query
  std::string_view body;
  std::vector<std::string> key_lines;  ///< every value of the key header
  std::string_view scope_value;        ///< value of the scope header, empty if absent
};

/// A licence to run the handler. `owner` is empty when the handler runs without a lock (an
/// unguarded pass or a bug mode); finish() then stores nothing.
struct Ticket {
  std::string record_key;
  OwnerToken owner;
};

struct Decision {
  enum class Action { Execute, Respond } action = Action::Execute;
  Outcome outcome = Outcome::Passed;
  HttpResponse response;  ///< Respond: send this as it is
  Ticket ticket;          ///< Execute: hand back to finish()
  std::string key;        ///< the parsed key, empty if none (for logs)
  /// The key in the caller's true scope (scoped_record_key), empty if none. Equals
  /// ticket.record_key except under the unscoped-keys bug; servers count executions by it.
  std::string scoped_key;
  std::optional<Error> store_error;  ///< StoreError: what the store said
};

struct FinishResult {
  bool stored = false;      ///< the response is now replayable
  bool released = false;    ///< the lock was dropped so a retry runs again
  std::optional<Error> store_error;  ///< completing or releasing failed (logged, counted)
};

class Guard {
 public:
  Guard(GuardConfig config, Store& store);

  /// Decides what to do with a request before any handler runs. Never throws.
  Decision begin(const GuardRequest& request) const;

  /// Records the handler's response for `ticket`: stored for the TTL if cacheable, otherwise
  /// the lock is released. The response is sent to the client whatever this returns.
  FinishResult finish(const Ticket& ticket, const HttpResponse& response) const;

  /// The handler threw: release the lock so a retry may run again.
  FinishResult abandon(const Ticket& ticket) const;

  const GuardConfig& config() const { return config_; }
  bool guards(std::string_view method) const;

 private:
  bool cacheable(int status) const;
  // InFlightPolicy::Wait: claims again each time the holder settles, until the key is no longer
  // in flight or the lock TTL has passed.
  Result<Claim> wait_for_holder(const std::string& record_key, const std::string& fingerprint,
                                Millis lease, Claim claim) const;
  HttpResponse stored_copy(const HttpResponse& response) const;
  HttpResponse replay_of(const StoredResponse& stored) const;

  GuardConfig config_;
  Store& store_;
};

}  // namespace idem
