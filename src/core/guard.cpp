#include "idem/guard.hpp"

#include <algorithm>

namespace idem {
namespace {

// Headers that describe the resource and so belong to the stored response. Per-exchange
// headers (Date, Set-Cookie, Connection, ...) are never replayed.
constexpr std::string_view kReplayedHeaders[] = {"Content-Type", "Location", "ETag", "Link"};

// How soon a client refused for a full store should try again. Room appears as locks finish and
// records expire, which the guard cannot predict; a short, fixed hint keeps retries spread.
constexpr std::string_view kStoreFullRetryAfter = "1";

// A lease long enough to be "never" for the lock-never-expires bug, short enough for Redis PX.
constexpr Millis kForever = std::chrono::hours(24 * 365 * 10);

std::string retry_after_seconds(Millis remaining) {
  const auto secs = (remaining.count() + 999) / 1000;
  return std::to_string(std::max<long long>(1, secs));
}

}  // namespace

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::Passed: return "passed";
    case Outcome::Executed: return "executed";
    case Outcome::Replayed: return "replayed";
    case Outcome::Conflict: return "conflict";
    case Outcome::Mismatch: return "mismatch";
    case Outcome::Rejected: return "rejected";
    case Outcome::StoreError: return "store_error";
    case Outcome::StoreFull: return "store_full";
  }
  return "passed";
}

Guard::Guard(GuardConfig config, Store& store) : config_(std::move(config)), store_(store) {}

bool Guard::guards(std::string_view method) const {
  return std::any_of(config_.methods.begin(), config_.methods.end(),
                     [&](const std::string& m) { return iequals(m, method); });
}

Decision Guard::begin(const GuardRequest& request) const {
  Decision d;
  if (!guards(request.method)) return d;  // Execute with no owner: plain handling

  auto parsed = parse_idempotency_key(request.key_lines, config_.key_format);
  if (!parsed) {
    d.action = Decision::Action::Respond;
    d.outcome = Outcome::Rejected;
    d.response = make_problem(400, "invalid-key", "Invalid idempotency key",
                              parsed.error().message + " (header " + config_.key_header + ")");
    return d;
  }
  if (!parsed->has_value()) {
    if (config_.bug == BugMode::KeyOptional || config_.key_optional) return d;
    d.action = Decision::Action::Respond;
    d.outcome = Outcome::Rejected;
    d.response = make_problem(400, "missing-key", "Missing idempotency key",
                              "this " + std::string(request.method) + " needs an " +
                                  config_.key_header +
                                  " header");
    return d;
  }
  d.key = **parsed;

  d.scoped_key = scoped_record_key(request.scope_value, d.key);
  d.ticket.record_key =
      config_.bug == BugMode::UnscopedKeys ? scoped_record_key("", d.key) : d.scoped_key;
  const std::string fp =
      request_fingerprint(request.method, request.target, request.body, config_.fingerprint);
  const Millis lease = config_.bug == BugMode::LockNeverExpires ? kForever : config_.lock_ttl;

  auto claim = store_.claim(d.ticket.record_key, fp, lease);
  if (claim && claim->state == ClaimState::InFlight && claim->fingerprint == fp &&
      config_.in_flight == InFlightPolicy::Wait && config_.bug != BugMode::NoLock) {
    claim = wait_for_holder(d.ticket.record_key, fp, lease, std::move(claim).value());
  }
  if (!claim) {
    // Fail closed: without a claim the handler could run twice.
    d.action = Decision::Action::Respond;
    d.outcome = Outcome::StoreError;
    d.response = make_problem(503, "store-unavailable", "Idempotency store unavailable",
                              claim.error().message);
    d.response.headers.emplace_back("Retry-After", "1");
    d.store_error = claim.error();
    return d;
  }

  if (claim->state == ClaimState::Full) {
    // Fail closed: evicting a live record to make room would let its key execute twice.
    d.action = Decision::Action::Respond;
    d.outcome = Outcome::StoreFull;
    d.response = make_problem(503, "store-full", "Idempotency store full",
                              "the store holds as many records as it may (--max-records); "
                              "a new key is refused until records expire");
    d.response.headers.emplace_back("Retry-After", kStoreFullRetryAfter);
    return d;
  }
  const bool same_request = claim->fingerprint == fp || config_.bug == BugMode::FingerprintIgnored;
  switch (claim->state) {
    case ClaimState::Full:
      break;  // answered above
    case ClaimState::Claimed:
      d.outcome = Outcome::Executed;
      d.ticket.owner = std::move(claim->owner);
      return d;
    case ClaimState::InFlight:
      if (!same_request) break;
      if (config_.bug == BugMode::NoLock) {  // check-then-set: nobody is stopped
        d.outcome = Outcome::Executed;
        return d;
      }
      // draft-ietf-httpapi-idempotency-key-header §2.6: a request still in flight -> 409.
      d.action = Decision::Action::Respond;
      d.outcome = Outcome::Conflict;
      d.response = make_problem(409, "request-in-flight", "Request in flight",
                                "a request with this key is still being processed; retry later");
      d.response.headers.emplace_back("Retry-After", retry_after_seconds(claim->lock_remaining));
      return d;
    case ClaimState::Completed:
      if (!same_request) break;
      if (config_.bug == BugMode::NoReplay) {
        d.outcome = Outcome::Executed;
        return d;
      }
      d.action = Decision::Action::Respond;
      d.outcome = Outcome::Replayed;
      d.response = replay_of(*claim->response);
      return d;
  }
  // §2.6: the key was reused with another payload (or endpoint) -> 422.
  d.action = Decision::Action::Respond;
  d.outcome = Outcome::Mismatch;
  d.response = make_problem(config_.mismatch_status, "key-reused", "Idempotency key reused",
                            "this key was first used with a different request (method, path "
                            "or body); use a new key for a new request");
  return d;
}

Result<Claim> Guard::wait_for_holder(const std::string& record_key, const std::string& fingerprint,
                                     Millis lease, Claim claim) const {
  // Bounded by the lock TTL: a holder that died frees the key by then, and a lock that never
  // expires (a bug) must not hold this request forever.
  const auto deadline = std::chrono::steady_clock::now() + config_.lock_ttl;
  while (claim.state == ClaimState::InFlight && claim.fingerprint == fingerprint) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    const auto left = std::chrono::duration_cast<Millis>(deadline - now);
    store_.await_settled(record_key, std::min(left, claim.lock_remaining + Millis{1}));
    auto again = store_.claim(record_key, fingerprint, lease);
    if (!again) return again.error();
    claim = std::move(again).value();
  }
  return claim;
}

bool Guard::cacheable(int status) const {
  if (status >= 500) return config_.cache_5xx || config_.bug == BugMode::Cache5xx;
  if (status >= 400) return config_.cache_4xx;
  return true;
}

HttpResponse Guard::stored_copy(const HttpResponse& response) const {
  HttpResponse out{response.status, {}, response.body};
  for (const auto& [name, value] : response.headers) {
    const bool builtin = std::any_of(std::begin(kReplayedHeaders), std::end(kReplayedHeaders),
                                     [&](std::string_view h) { return iequals(h, name); });
    const bool extra = std::any_of(config_.replay_headers.begin(), config_.replay_headers.end(),
                                   [&](const std::string& h) { return iequals(h, name); });
    if (builtin || extra) out.headers.emplace_back(name, value);
  }
  return out;
}

HttpResponse Guard::replay_of(const StoredResponse& stored) const {
  HttpResponse out = stored.to_response();
  if (config_.bug == BugMode::ReplayAs200) out.status = 200;
  if (config_.bug == BugMode::ReplayDropsHeaders) out.headers.clear();
  out.headers.emplace_back("Idempotent-Replayed", "true");
  return out;
}

FinishResult Guard::finish(const Ticket& ticket, const HttpResponse& response) const {
  FinishResult out;
  if (ticket.owner.empty()) return out;
  if (!cacheable(response.status)) return abandon(ticket);
  auto done = store_.complete(ticket.record_key, ticket.owner, stored_copy(response),
                              config_.ttl);
  if (done) {
    out.stored = true;
  } else {
    out.store_error = done.error();
  }
  return out;
}

FinishResult Guard::abandon(const Ticket& ticket) const {
  FinishResult out;
  if (ticket.owner.empty()) return out;
  auto released = store_.release(ticket.record_key, ticket.owner);
  if (released) {
    out.released = true;
  } else {
    out.store_error = released.error();
  }
  return out;
}

}  // namespace idem
