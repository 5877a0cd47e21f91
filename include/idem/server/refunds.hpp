// The reference server's second demo resource: `POST /refunds` creates a refund, `GET
// /refunds/{id}` reads it, so multi-endpoint runs of verify have a second real guarded endpoint.
// Knows nothing of idempotency. Safe for concurrent use. Bounded like PaymentsApp: a refund is
// forgotten after its retention or, beyond the cap, oldest first.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "idem/clock.hpp"
#include "idem/http.hpp"

namespace idem {

/// Refunds kept at most; beyond it the oldest are forgotten (their GET answers 404).
inline constexpr size_t kMaxRefunds = 100'000;

class RefundsApp {
 public:
  explicit RefundsApp(Millis retention = std::chrono::hours(1), size_t max_kept = kMaxRefunds,
                      const Clock& clock = system_clock());

  /// Validates `{"payment_id": "pay_...", "amount": N, "reason": "duplicate"}` (reason
  /// optional: duplicate, fraudulent or requested_by_customer) and answers 201 with the refund
  /// and a `Location`; 400 problem+json for a malformed body. The id is "re_" and 32 hex digits
  /// from the OS CSPRNG. The payment is not looked up: the demo has no money to lose.
  HttpResponse create(std::string_view body);
  /// 200 with the refund, or 404 problem+json (unknown, expired or evicted).
  HttpResponse get(std::string_view id);
  size_t size();

 private:
  void trim(Clock::TimePoint now);  // mu_ held

  const Millis retention_;
  const size_t max_kept_;
  const Clock& clock_;
  std::mutex mu_;  // guards refunds_ and order_
  std::unordered_map<std::string, std::string> refunds_;  // id -> its JSON
  std::deque<std::pair<Clock::TimePoint, std::string>> order_;  // creation = expiry order
};

}  // namespace idem
