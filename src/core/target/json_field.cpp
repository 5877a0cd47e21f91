#include "json_field.hpp"

#include <algorithm>

#include "idem/duration.hpp"

namespace idem {

void JsonField::expect_object(const std::vector<std::string>& allowed) const {
  if (!value_.is_object()) fail("expected an object");
  for (const auto& [name, v] : value_.items()) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      JsonField(v, path_ + "." + name).fail("unknown field; expected one of " + list);
    }
  }
}

JsonField JsonField::at(const std::string& name) const {
  if (!value_.is_object()) fail("expected an object");
  auto it = value_.find(name);
  if (it == value_.end()) fail("expected a field '" + name + "'");
  return JsonField(*it, path_ + "." + name);
}

JsonField JsonField::at(size_t index) const {
  return JsonField(value_.at(index), path_ + "[" + std::to_string(index) + "]");
}

std::vector<JsonField> JsonField::items() const {
  if (!value_.is_array()) fail("expected an array");
  std::vector<JsonField> out;
  for (size_t i = 0; i < value_.size(); ++i) out.push_back(at(i));
  return out;
}

std::string JsonField::as_string() const {
  if (!value_.is_string()) fail("expected a string");
  return value_.get<std::string>();
}

long long JsonField::as_int(long long min, long long max) const {
  if (!value_.is_number_integer()) fail("expected an integer");
  const auto n = value_.get<long long>();
  if (n < min || n > max) {
    fail("expected an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return n;
}

bool JsonField::as_bool() const {
  if (!value_.is_boolean()) fail("expected true or false");
  return value_.get<bool>();
}

Millis JsonField::as_duration() const {
  if (!value_.is_string()) fail("expected a duration string like \"300ms\"");
  auto d = parse_duration(value_.get<std::string>());
  if (!d) fail("expected a duration like \"300ms\" or \"2s\"");
  return *d;
}

std::vector<std::string> JsonField::as_string_list() const {
  if (value_.is_string()) return {value_.get<std::string>()};
  std::vector<std::string> out;
  for (const JsonField& item : items()) out.push_back(item.as_string());
  return out;
}

std::optional<std::string> JsonField::string_or(const std::string& name) const {
  if (!has(name)) return std::nullopt;
  return at(name).as_string();
}

}  // namespace idem
