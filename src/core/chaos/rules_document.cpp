// The admin API's rule document, apart from the listener so the fuzz harness can reach it.
#include "idem/chaos/rules_document.hpp"

#include <nlohmann/json.hpp>

#include "json_text.hpp"

namespace idem::chaos {
namespace {

Error at(std::string_view path, std::string_view what) {
  return make_error(ErrorCode::InvalidArgument, std::string(path) + ": " + std::string(what));
}

}  // namespace

Result<std::vector<FaultRule>> parse_rules_document(std::string_view body) {
  if (body.size() > kMaxAdminBody) {
    return at("$", "expected at most " + std::to_string(kMaxAdminBody) + " bytes");
  }
  const nlohmann::json doc = parse_bounded_json(body);
  if (doc.is_discarded()) {
    return at("$", "expected a JSON object {\"rules\": [SPEC, ...]} nested at most " +
                       std::to_string(kMaxJsonDepth) + " deep");
  }
  if (!doc.is_object() || !doc.contains("rules")) {
    return at("$", "expected an object with a \"rules\" member");
  }
  const nlohmann::json& list = doc["rules"];
  if (!list.is_array()) return at("$.rules", "expected an array of fault specs");
  if (list.size() > kMaxRules) {
    return at("$.rules", "expected at most " + std::to_string(kMaxRules) + " rules");
  }
  std::vector<FaultRule> rules;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string path = "$.rules[" + std::to_string(i) + "]";
    if (!list[i].is_string()) return at(path, "expected a fault spec string");
    auto r = parse_fault_rule(list[i].get<std::string>());
    if (!r) return at(path, r.error().message);
    rules.push_back(std::move(*r));
  }
  return rules;
}

}  // namespace idem::chaos
