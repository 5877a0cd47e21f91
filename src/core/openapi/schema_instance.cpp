#include "openapi/schema_instance.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "idem/openapi/openapi_import.hpp"
#include "openapi/openapi_error.hpp"

namespace idem::openapi {
namespace {

// verify renders {{n}} as 1000 + 2 * run + {0, 1}: an integer schema must accept that range to
// carry it. A bound below this ceiling is taken as meaning something; the minimum is used then.
constexpr long long kNumberFloor = 1000;
constexpr long long kNumberCeiling = 1'000'000;
// The reasons of failed oneOf alternatives kept in a message.
constexpr size_t kMaxReasonBytes = 400;

std::string member_path(const std::string& path, const std::string& name) {
  return path + "[\"" + name + "\"]";
}

}  // namespace

std::string keyword_type_error(const std::exception& e) {
  // "[json.exception.type_error.302] type must be number, but is string": the part after "] ".
  std::string what = e.what();
  if (const size_t cut = what.find("] "); cut != std::string::npos) what.erase(0, cut + 2);
  return "a keyword has the wrong type: " + what;
}

namespace {

struct Generator {
  const Json& root;
  long long steps = 0;

  // A keyword of the wrong type ("minItems": "two") is named by the schema it is in; the
  // deepest schema's path wins, as the first catch turns it into a DocumentError.
  Json instance(const Json& schema, const std::string& path, int depth) {
    try {
      return instance_of(schema, path, depth);
    } catch (const Json::exception& e) {
      throw DocumentError(path, keyword_type_error(e));
    }
  }

  Json instance_of(const Json& schema, const std::string& path, int depth) {
    if (++steps > kMaxSchemaSteps) {
      throw Uninstantiable("the schema at " + path + " takes more than " +
                           std::to_string(kMaxSchemaSteps) + " steps to instantiate");
    }
    if (depth > kMaxSchemaDepth) {
      throw Uninstantiable("the schema at " + path + " nests deeper than " +
                           std::to_string(kMaxSchemaDepth) + " (a required recursion?)");
    }
    if (schema.is_boolean()) {
      if (schema.get<bool>()) return Json::object();
      throw Uninstantiable("the schema at " + path + " is false: no value is valid");
    }
    if (!schema.is_object()) throw DocumentError(path, "expected a schema object");
    if (auto ref = schema.find("$ref"); ref != schema.end()) {
      if (!ref->is_string()) throw DocumentError(path + ".$ref", "expected a string");
      const std::string& target = ref->get_ref<const std::string&>();
      return instance(resolve_ref(root, target, path + ".$ref"), target, depth + 1);
    }
    // What the document says a value looks like wins over anything generated.
    for (const char* given : {"const", "example", "default"}) {
      if (auto it = schema.find(given); it != schema.end()) return *it;
    }
    if (auto it = schema.find("examples"); it != schema.end() && it->is_array() && !it->empty()) {
      return it->front();  // JSON Schema 2020-12 (OpenAPI 3.1): an array of examples
    }
    if (auto it = schema.find("enum"); it != schema.end()) {
      if (!it->is_array() || it->empty()) {
        throw DocumentError(path + ".enum", "expected a non-empty array");
      }
      return it->front();
    }
    if (auto it = schema.find("allOf"); it != schema.end()) return all_of(*it, path, depth);
    for (const char* choice : {"oneOf", "anyOf"}) {
      if (auto it = schema.find(choice); it != schema.end()) {
        return one_of(*it, path + "." + choice, depth);
      }
    }
    const std::string type = type_of(schema, path);
    if (type == "object") return object(schema, path, depth);
    if (type == "array") return array(schema, path, depth);
    if (type == "string") return string(schema, path);
    if (type == "integer") return integer(schema, path);
    if (type == "number") return number(schema, path);
    if (type == "boolean") return false;
    if (type == "null") return nullptr;
    throw DocumentError(path + ".type", "expected object, array, string, integer, number, "
                                        "boolean or null, not '" + type + "'");
  }

  // The declared type; 3.1's ["string", "null"] takes the first non-null one; a schema without
  // a type is read from its keywords (properties: object, items: array), else any: a string.
  static std::string type_of(const Json& schema, const std::string& path) {
    auto it = schema.find("type");
    if (it == schema.end()) {
      if (schema.contains("properties") || schema.contains("required")) return "object";
      if (schema.contains("items")) return "array";
      return "string";
    }
    if (it->is_string()) return it->get<std::string>();
    if (it->is_array()) {
      for (const Json& t : *it) {
        if (t.is_string() && t.get<std::string>() != "null") return t.get<std::string>();
      }
      if (!it->empty()) return "null";
    }
    throw DocumentError(path + ".type", "expected a type name or an array of them");
  }

  Json all_of(const Json& list, const std::string& path, int depth) {
    if (!list.is_array() || list.empty()) {
      throw DocumentError(path + ".allOf", "expected a non-empty array of schemas");
    }
    Json merged;
    for (size_t i = 0; i < list.size(); ++i) {
      Json part = instance(list[i], path + ".allOf[" + std::to_string(i) + "]", depth + 1);
      if (merged.is_object() && part.is_object()) {
        for (auto& [k, v] : part.items()) merged[k] = v;
      } else if (!part.is_null() || merged.is_null()) {
        merged = std::move(part);
      }
    }
    return merged;
  }

  // The first alternative that can be instantiated; the reasons of all when none can.
  Json one_of(const Json& list, const std::string& path, int depth) {
    if (!list.is_array() || list.empty()) {
      throw DocumentError(path, "expected a non-empty array of schemas");
    }
    std::string why;
    for (size_t i = 0; i < list.size(); ++i) {
      try {
        return instance(list[i], path + "[" + std::to_string(i) + "]", depth + 1);
      } catch (const Uninstantiable& e) {
        if (steps > kMaxSchemaSteps) throw;  // out of budget: no alternative gets another try
        // The first reasons are enough to act on; all of them can be long (nested oneOfs).
        if (why.size() < kMaxReasonBytes) why += (why.empty() ? "" : "; ") + std::string(e.what());
      }
    }
    throw Uninstantiable("no alternative of " + path + " can be instantiated: " + why);
  }

  Json object(const Json& schema, const std::string& path, int depth) {
    Json out = Json::object();
    const Json* properties = nullptr;
    if (auto it = schema.find("properties"); it != schema.end()) {
      if (!it->is_object()) throw DocumentError(path + ".properties", "expected an object");
      properties = &*it;
    }
    const auto property_schema = [&](const std::string& name) -> const Json* {
      if (properties && properties->contains(name)) return &properties->at(name);
      if (auto extra = schema.find("additionalProperties");
          extra != schema.end() && extra->is_object()) {
        return &*extra;
      }
      return nullptr;
    };
    const auto add = [&](const std::string& name) {
      const Json* s = property_schema(name);
      if (s == nullptr) {
        out[name] = "x";  // required but undescribed: any value will do
        return;
      }
      // readOnly properties are the server's to set (OpenAPI 3.0 §4.7.25.1), even if required.
      if (s->is_object() && flag(*s, "readOnly")) return;
      out[name] = instance(*s, member_path(path + ".properties", name), depth + 1);
    };
    if (auto req = schema.find("required"); req != schema.end()) {
      if (!req->is_array()) throw DocumentError(path + ".required", "expected an array of names");
      for (const Json& name : *req) {
        if (!name.is_string()) throw DocumentError(path + ".required", "expected property names");
        add(name.get<std::string>());
      }
    }
    // minProperties beyond the required ones: the declared optional ones, in document order.
    const size_t min_properties = schema.value("minProperties", size_t{0});
    if (properties) {
      for (auto it = properties->begin(); it != properties->end(); ++it) {
        if (out.size() >= min_properties) break;
        if (!out.contains(it.key())) add(it.key());
      }
    }
    return out;
  }

  Json array(const Json& schema, const std::string& path, int depth) {
    const long long min_items = schema.value("minItems", 0LL);
    if (min_items > kMaxGeneratedItems) {
      throw Uninstantiable("the array at " + path + " needs minItems " +
                           std::to_string(min_items) + ", more than verify generates (" +
                           std::to_string(kMaxGeneratedItems) + ")");
    }
    Json out = Json::array();
    if (min_items <= 0) return out;
    auto items = schema.find("items");
    const Json any = Json::object();
    const Json& item_schema = items == schema.end() ? any : *items;
    for (long long i = 0; i < min_items; ++i) {
      out.push_back(instance(item_schema, path + ".items", depth + 1));
    }
    return out;
  }

  static Json string(const Json& schema, const std::string& path) {
    const std::string format = schema.value("format", "");
    // Values of the common formats (OpenAPI 3.0 §4.4, JSON Schema validation §7.3).
    static const std::pair<const char*, const char*> kFormats[] = {
        {"date-time", "2026-01-01T00:00:00Z"},
        {"date", "2026-01-01"},
        {"time", "00:00:00Z"},
        {"email", "user@example.com"},
        {"idn-email", "user@example.com"},
        {"uri", "https://example.com/"},
        {"url", "https://example.com/"},
        {"uri-reference", "/"},
        {"hostname", "example.com"},
        {"ipv4", "192.0.2.1"},
        {"ipv6", "2001:db8::1"},
        {"byte", "aWRlbWN0bA=="},
        {"password", "idemctl-password"},
    };
    // A uuid is the field that must differ per key (an order reference, a client token).
    if (format == "uuid") return kUuidMarker;
    for (const auto& [name, value] : kFormats) {
      if (format == name) return value;
    }
    if (schema.contains("pattern")) {
      throw Uninstantiable("the string at " + path +
                           " must match a pattern; give it an example, default or enum");
    }
    const size_t min_length = schema.value("minLength", size_t{1});
    const size_t max_length = schema.value("maxLength", std::max<size_t>(min_length, 1));
    if (max_length < min_length) {
      throw Uninstantiable("the string at " + path + " has maxLength below minLength");
    }
    if (min_length > static_cast<size_t>(kMaxGeneratedItems) * 64) {
      throw Uninstantiable("the string at " + path + " needs minLength " +
                           std::to_string(min_length) + ", longer than verify generates");
    }
    return std::string(std::max<size_t>(min_length, max_length == 0 ? 0 : 1), 'x');
  }

  static bool flag(const Json& schema, const char* name) {
    auto it = schema.find(name);
    return it != schema.end() && it->is_boolean() && it->get<bool>();
  }

  // The integer bounds as [lo, hi]: 3.0's boolean exclusiveMinimum and 3.1's numeric one.
  static std::pair<std::optional<double>, std::optional<double>> bounds(const Json& schema) {
    std::optional<double> lo, hi;
    if (auto it = schema.find("minimum"); it != schema.end() && it->is_number()) {
      lo = it->get<double>();
      if (flag(schema, "exclusiveMinimum")) *lo += 1;
    }
    if (auto it = schema.find("exclusiveMinimum"); it != schema.end() && it->is_number()) {
      lo = it->get<double>() + 1;
    }
    if (auto it = schema.find("maximum"); it != schema.end() && it->is_number()) {
      hi = it->get<double>();
      if (flag(schema, "exclusiveMaximum")) *hi -= 1;
    }
    if (auto it = schema.find("exclusiveMaximum"); it != schema.end() && it->is_number()) {
      hi = it->get<double>() - 1;
    }
    return {lo, hi};
  }

  static Json integer(const Json& schema, const std::string& path) {
    if (takes_number_marker(schema)) return kNumberMarker;
    const auto [lo, hi] = bounds(schema);
    double value = lo ? std::ceil(*lo) : hi ? std::min(std::floor(*hi), 1.0) : 1.0;
    if (auto m = schema.find("multipleOf"); m != schema.end() && m->is_number()) {
      const double step = m->get<double>();
      if (step > 0) value = std::ceil(value / step) * step;
    }
    if (hi && value > *hi) {
      throw Uninstantiable("the integer at " + path + " has no value within its bounds");
    }
    return static_cast<long long>(value);
  }

  static Json number(const Json& schema, const std::string& path) {
    const auto [lo, hi] = bounds(schema);
    const double value = lo ? *lo : hi ? std::min(*hi, 1.0) : 1.0;
    if (hi && value > *hi) {
      throw Uninstantiable("the number at " + path + " has no value within its bounds");
    }
    return value == std::floor(value) ? Json(static_cast<long long>(value)) : Json(value);
  }

 public:
  // True when every {{n}} verify renders is valid for this integer schema.
  static bool takes_number_marker(const Json& schema) {
    if (schema.contains("multipleOf") || schema.contains("enum") || schema.contains("const")) {
      return false;
    }
    const auto [lo, hi] = bounds(schema);
    return (!lo || *lo <= static_cast<double>(kNumberFloor)) &&
           (!hi || *hi >= static_cast<double>(kNumberCeiling));
  }
};

}  // namespace

const Json& resolve_ref(const Json& root, const std::string& ref, const std::string& path) {
  if (!ref.starts_with("#")) {
    throw DocumentError(path, "external $ref '" + ref +
                                  "' is not supported: only references within the document "
                                  "(\"#/...\") are resolved; bundle the document first");
  }
  try {
    const Json::json_pointer pointer(ref.substr(1));
    if (!root.contains(pointer)) throw DocumentError(path, "$ref '" + ref + "' points to nothing");
    return root.at(pointer);
  } catch (const Json::exception&) {
    throw DocumentError(path, "$ref '" + ref + "' is not a valid JSON pointer (\"#/a/b\")");
  }
}

Json schema_instance(const Json& root, const Json& schema, const std::string& path) {
  Generator g{root, 0};
  return g.instance(schema, path, 0);
}

namespace {

// Only a string *value* equal to the marker becomes a bare {{n}}: a key that happens to read
// "{{n}}" must stay quoted, or the rendered body would not be JSON.
void write_template(const Json& value, std::string& out) {
  if (value.is_string() && value.get_ref<const std::string&>() == kNumberMarker) {
    out += kNumberMarker;
  } else if (value.is_object()) {
    out += '{';
    bool first = true;
    for (const auto& [k, v] : value.items()) {
      if (!first) out += ',';
      first = false;
      out += Json(k).dump(-1, ' ', false, Json::error_handler_t::replace);
      out += ':';
      write_template(v, out);
    }
    out += '}';
  } else if (value.is_array()) {
    out += '[';
    for (size_t i = 0; i < value.size(); ++i) {
      if (i > 0) out += ',';
      write_template(value[i], out);
    }
    out += ']';
  } else {
    out += value.dump(-1, ' ', false, Json::error_handler_t::replace);
  }
}

}  // namespace

std::string body_template(const Json& value) {
  std::string out;
  write_template(value, out);
  return out;
}

bool vary_example(const Json& root, const Json& schema_in, Json& value) {
  const std::string text = body_template(value);
  if (text.find(kNumberMarker) != std::string::npos ||
      text.find(kUuidMarker) != std::string::npos || !value.is_object()) {
    return false;
  }
  const Json* schema = &schema_in;
  for (int hops = 0; schema->is_object() && schema->contains("$ref") && hops < kMaxSchemaDepth;
       ++hops) {
    schema = &resolve_ref(root, schema->at("$ref").get<std::string>(), "$ref");
  }
  if (!schema->is_object() || !schema->contains("properties") ||
      !schema->at("properties").is_object()) {
    return false;
  }
  for (auto& [name, property] : schema->at("properties").items()) {
    const Json* p = &property;
    if (p->is_object() && p->contains("$ref") && p->at("$ref").is_string()) {
      p = &resolve_ref(root, p->at("$ref").get<std::string>(), "$ref");
    }
    // OpenAPI 3.1 spells a nullable integer ["integer", "null"]: the type is not always a string.
    if (!p->is_object() || !p->contains("type")) continue;
    const Json& type = p->at("type");
    const bool integer = type == "integer" || (type.is_array() && std::find(type.begin(), type.end(),
                                                                            "integer") != type.end());
    if (!integer) continue;
    if (!value.contains(name) || !value.at(name).is_number_integer()) continue;
    if (!Generator::takes_number_marker(*p)) continue;
    value[name] = kNumberMarker;
    return true;
  }
  return false;
}

}  // namespace idem::openapi
