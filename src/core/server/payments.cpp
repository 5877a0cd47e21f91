#include "idem/server/payments.hpp"

#include <nlohmann/json.hpp>

namespace idem {

HttpResponse PaymentsApp::create(const std::string& body, size_t pad_bytes) {
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return make_problem(400, "malformed-body", "Malformed body", "the body is not a JSON object");
  }
  const auto amount = json.find("amount");
  if (amount == json.end() || !amount->is_number_integer() || amount->get<long long>() <= 0) {
    return make_problem(400, "malformed-body", "Malformed body",
                        "'amount' must be a positive integer (minor units)");
  }
  const auto currency = json.find("currency");
  if (currency == json.end() || !currency->is_string() ||
      currency->get<std::string>().size() != 3) {
    return make_problem(400, "malformed-body", "Malformed body",
                        "'currency' must be a three-letter code such as \"EUR\"");
  }
  nlohmann::json payment = {{"amount", *amount}, {"currency", *currency}, {"status", "succeeded"}};
  std::string id;
  {
    std::lock_guard lock(mu_);
    id = "pay_" + std::to_string(next_id_++);
    payment["id"] = id;
    payments_.emplace(id, payment.dump());
    order_.push_back(id);
    if (order_.size() > kMaxKept) {
      payments_.erase(order_.front());
      order_.pop_front();
    }
  }
  // The pad goes only into the answer, so stored payments stay small.
  if (pad_bytes > 0) payment["pad"] = std::string(pad_bytes, 'x');
  return HttpResponse{201,
                      {{"Content-Type", "application/json"}, {"Location", "/payments/" + id}},
                      payment.dump()};
}

HttpResponse PaymentsApp::get(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = payments_.find(id);
  if (it == payments_.end()) {
    return make_problem(404, "not-found", "Not found", "no payment with id '" + id + "'");
  }
  return HttpResponse{200, {{"Content-Type", "application/json"}}, it->second};
}

}  // namespace idem
