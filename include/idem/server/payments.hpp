// The demo application behind the reference server: `POST /payments` creates a payment,
// `GET /payments/{id}` reads it. Knows nothing of idempotency. Safe for concurrent use.
// The table is bounded: a payment is forgotten after its retention or, beyond the cap, oldest
// first, so a flood of fresh keys does not grow the process.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "idem/clock.hpp"
#include "idem/http.hpp"

namespace idem {

/// Payments kept at most; beyond it the oldest are forgotten (their GET answers 404).
inline constexpr size_t kMaxPayments = 100'000;

class PaymentsApp {
 public:
  /// Payments are readable for `retention` after creation (the server passes the record TTL,
  /// so a replay's Location resolves as long as the replay is served), at most `max_kept`.
  explicit PaymentsApp(Millis retention = std::chrono::hours(1), size_t max_kept = kMaxPayments,
                       const Clock& clock = system_clock());

  /// Validates `{"amount": N, "currency": "EUR"}` and answers 201 with the payment and a
  /// `Location`; 400 problem+json for a malformed body. The id is "pay_" and 32 hex digits from
  /// the OS CSPRNG, so ids of several instances never clash. `pad_bytes` > 0 adds a "pad" field
  /// of that many bytes to the answer, to exercise large replays.
  HttpResponse create(std::string_view body, size_t pad_bytes);
  /// 200 with the payment, or 404 problem+json (unknown, expired or evicted).
  HttpResponse get(std::string_view id);
  /// Payments currently kept.
  size_t size();

 private:
  using Id = std::array<std::uint64_t, 2>;
  struct IdHash {
    size_t operator()(const Id& id) const { return static_cast<size_t>(id[0] ^ (id[1] >> 1)); }
  };
  struct Payment {
    long long amount = 0;
    std::array<char, 3> currency{};
  };
  // Drops expired payments and those beyond the cap. mu_ held.
  void trim(Clock::TimePoint now);

  const Millis retention_;
  const size_t max_kept_;
  const Clock& clock_;
  std::mutex mu_;  // guards payments_ and order_
  std::unordered_map<Id, Payment, IdHash> payments_;
  // Creation order is expiry order (one retention for all), so a FIFO serves both bounds.
  std::deque<std::pair<Clock::TimePoint, Id>> order_;
};

}  // namespace idem
