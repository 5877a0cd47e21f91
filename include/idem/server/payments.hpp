// The demo application behind the reference server: `POST /payments` creates a payment,
// `GET /payments/{id}` reads it. Knows nothing of idempotency. Safe for concurrent use.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "idem/http.hpp"

namespace idem {

class PaymentsApp {
 public:
  /// Validates `{"amount": N, "currency": "EUR"}` and answers 201 with the payment and a
  /// `Location`; 400 problem+json for a malformed body. `pad_bytes` > 0 adds a "pad" field of
  /// that many bytes to the answer, to exercise large replays.
  HttpResponse create(const std::string& body, size_t pad_bytes);
  /// 200 with the payment, or 404 problem+json.
  HttpResponse get(const std::string& id);

 private:
  static constexpr size_t kMaxKept = 100'000;  // old payments are forgotten beyond this

  std::mutex mu_;  // guards payments_, order_ and next_id_
  std::unordered_map<std::string, std::string> payments_;  // id -> JSON
  std::deque<std::string> order_;
  long long next_id_ = 1;
};

}  // namespace idem
