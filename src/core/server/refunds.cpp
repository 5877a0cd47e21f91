#include "idem/server/refunds.hpp"

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>

#include "idem/random.hpp"
#include "json_text.hpp"

namespace idem {
namespace {

constexpr size_t kMaxPaymentIdBytes = 64;
constexpr std::string_view kReasons[] = {"duplicate", "fraudulent", "requested_by_customer"};

std::string new_refund_id() {
  std::array<unsigned char, 16> raw{};
  random_bytes(std::as_writable_bytes(std::span(raw)));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "re_";
  for (unsigned char b : raw) {
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

HttpResponse malformed(const std::string& detail) {
  return make_problem(400, "malformed-body", "Malformed body", detail);
}

}  // namespace

RefundsApp::RefundsApp(Millis retention, size_t max_kept, const Clock& clock)
    : retention_(retention), max_kept_(max_kept), clock_(clock) {}

void RefundsApp::trim(Clock::TimePoint now) {
  while (!order_.empty() && (order_.front().first <= now || refunds_.size() > max_kept_)) {
    refunds_.erase(order_.front().second);
    order_.pop_front();
  }
}

HttpResponse RefundsApp::create(std::string_view body) {
  const auto json = parse_bounded_json(body);
  if (json.is_discarded() || !json.is_object()) {
    return malformed("the body is not a JSON object nested at most " +
                     std::to_string(kMaxJsonDepth) + " deep");
  }
  const auto payment = json.find("payment_id");
  if (payment == json.end() || !payment->is_string() || payment->get_ref<const std::string&>().empty() ||
      payment->get_ref<const std::string&>().size() > kMaxPaymentIdBytes) {
    return malformed("'payment_id' must be a payment id (1 to " +
                     std::to_string(kMaxPaymentIdBytes) + " characters)");
  }
  const auto amount = json.find("amount");
  if (amount == json.end() || !amount->is_number_integer() || amount->get<long long>() <= 0) {
    return malformed("'amount' must be a positive integer (minor units)");
  }
  std::string reason = "requested_by_customer";
  if (const auto r = json.find("reason"); r != json.end()) {
    const bool known = r->is_string() && std::find(std::begin(kReasons), std::end(kReasons),
                                                   r->get<std::string>()) != std::end(kReasons);
    if (!known) {
      return malformed("'reason' must be duplicate, fraudulent or requested_by_customer");
    }
    reason = r->get<std::string>();
  }
  const std::string id = new_refund_id();
  const std::string out = dump_json({{"id", id},
                                     {"payment_id", payment->get<std::string>()},
                                     {"amount", amount->get<long long>()},
                                     {"reason", reason},
                                     {"status", "succeeded"}});
  {
    const auto now = clock_.now();
    const std::lock_guard lock(mu_);
    refunds_.emplace(id, out);
    order_.emplace_back(now + retention_, id);
    trim(now);
  }
  return HttpResponse{
      201, {{"Content-Type", "application/json"}, {"Location", "/refunds/" + id}}, out};
}

HttpResponse RefundsApp::get(std::string_view id) {
  const std::lock_guard lock(mu_);
  trim(clock_.now());
  auto it = refunds_.find(std::string(id));
  if (it == refunds_.end()) {
    // Not echoed: it may not be an id we made, or even UTF-8.
    return make_problem(404, "not-found", "Not found", "no such refund (expired, evicted or unknown)");
  }
  return HttpResponse{200, {{"Content-Type", "application/json"}}, it->second};
}

size_t RefundsApp::size() {
  const std::lock_guard lock(mu_);
  return refunds_.size();
}

}  // namespace idem
