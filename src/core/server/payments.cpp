#include "idem/server/payments.hpp"

#include <cstring>
#include <nlohmann/json.hpp>
#include <span>

#include "idem/random.hpp"
#include "json_text.hpp"

namespace idem {
namespace {

constexpr std::string_view kIdPrefix = "pay_";
constexpr size_t kIdHexDigits = 32;

std::string id_text(const std::array<std::uint64_t, 2>& id) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(kIdPrefix);
  for (std::uint64_t word : id) {
    for (int shift = 60; shift >= 0; shift -= 4) out += kHex[(word >> shift) & 0xf];
  }
  return out;
}

bool parse_id(std::string_view text, std::array<std::uint64_t, 2>& id) {
  if (text.size() != kIdPrefix.size() + kIdHexDigits || !text.starts_with(kIdPrefix)) return false;
  text.remove_prefix(kIdPrefix.size());
  id = {0, 0};
  for (size_t i = 0; i < kIdHexDigits; ++i) {
    const char c = text[i];
    std::uint64_t digit = 0;
    if (c >= '0' && c <= '9') {
      digit = static_cast<std::uint64_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<std::uint64_t>(c - 'a' + 10);
    } else {
      return false;
    }
    id[i / 16] = (id[i / 16] << 4) | digit;
  }
  return true;
}

nlohmann::json payment_json(const std::string& id, long long amount, std::string_view currency) {
  return {{"amount", amount}, {"currency", currency}, {"status", "succeeded"}, {"id", id}};
}

HttpResponse not_found(std::string_view id) {
  return make_problem(404, "not-found", "Not found",
                      "no payment with id '" + std::string(id) + "' (expired, evicted or unknown)");
}

}  // namespace

PaymentsApp::PaymentsApp(Millis retention, size_t max_kept, const Clock& clock)
    : retention_(retention), max_kept_(max_kept), clock_(clock) {}

void PaymentsApp::trim(Clock::TimePoint now) {
  while (!order_.empty() && (order_.front().first <= now || payments_.size() > max_kept_)) {
    payments_.erase(order_.front().second);
    order_.pop_front();
  }
}

HttpResponse PaymentsApp::create(std::string_view body, size_t pad_bytes) {
  const auto json = parse_bounded_json(body);
  if (json.is_discarded() || !json.is_object()) {
    return make_problem(400, "malformed-body", "Malformed body",
                        "the body is not a JSON object nested at most " +
                            std::to_string(kMaxJsonDepth) + " deep");
  }
  const auto amount = json.find("amount");
  if (amount == json.end() || !amount->is_number_integer() || amount->get<long long>() <= 0) {
    return make_problem(400, "malformed-body", "Malformed body",
                        "'amount' must be a positive integer (minor units)");
  }
  const auto currency = json.find("currency");
  if (currency == json.end() || !currency->is_string() ||
      currency->get_ref<const std::string&>().size() != 3) {
    return make_problem(400, "malformed-body", "Malformed body",
                        "'currency' must be a three-letter code such as \"EUR\"");
  }
  Payment payment;
  payment.amount = amount->get<long long>();
  std::memcpy(payment.currency.data(), currency->get_ref<const std::string&>().data(), 3);
  Id id{};
  random_bytes(std::as_writable_bytes(std::span(id)));
  const std::string id_str = id_text(id);
  {
    const auto now = clock_.now();
    std::lock_guard lock(mu_);
    payments_.emplace(id, payment);
    order_.emplace_back(now + retention_, id);
    trim(now);
  }
  nlohmann::json out =
      payment_json(id_str, payment.amount, std::string_view(payment.currency.data(), 3));
  // The pad goes only into the answer, so stored payments stay small.
  if (pad_bytes > 0) out["pad"] = std::string(pad_bytes, 'x');
  return HttpResponse{
      201, {{"Content-Type", "application/json"}, {"Location", "/payments/" + id_str}}, out.dump()};
}

HttpResponse PaymentsApp::get(std::string_view id_str) {
  Id id{};
  if (!parse_id(id_str, id)) {
    // Not echoed: it is not an id we could have made, and may not even be UTF-8.
    return make_problem(404, "not-found", "Not found", "not a payment id");
  }
  Payment payment;
  {
    std::lock_guard lock(mu_);
    trim(clock_.now());
    auto it = payments_.find(id);
    if (it == payments_.end()) return not_found(id_str);
    payment = it->second;
  }
  return HttpResponse{200,
                      {{"Content-Type", "application/json"}},
                      payment_json(std::string(id_str), payment.amount,
                                   std::string_view(payment.currency.data(), 3))
                          .dump()};
}

size_t PaymentsApp::size() {
  std::lock_guard lock(mu_);
  return payments_.size();
}

}  // namespace idem
