// Typed access to the fields of a JSON config or scenario file that remembers where it is, so a
// wrong value becomes "FILE: JSON path: what was expected". Throws JsonFieldError; the loaders
// catch it at their edge and return an Error. Private to src/core (target, verify, stress).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "idem/clock.hpp"

namespace idem {

class JsonFieldError : public std::runtime_error {
 public:
  JsonFieldError(std::string path, const std::string& expected)
      : std::runtime_error(expected), path_(std::move(path)) {}
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// A JSON value and its path from the document root ("$.checks[2].steps[0].send.key").
class JsonField {
 public:
  JsonField(const nlohmann::json& value, std::string path)
      : value_(value), path_(std::move(path)) {}

  const nlohmann::json& json() const { return value_; }
  const std::string& path() const { return path_; }
  [[noreturn]] void fail(const std::string& expected) const {
    throw JsonFieldError(path_, expected);
  }

  /// Requires an object and rejects members not in `allowed` (catches typos).
  void expect_object(const std::vector<std::string>& allowed) const;
  bool has(const std::string& name) const { return value_.is_object() && value_.contains(name); }
  JsonField at(const std::string& name) const;  ///< fails when the member is missing
  JsonField at(size_t index) const;
  std::vector<JsonField> items() const;  ///< requires an array

  std::string as_string() const;
  long long as_int(long long min, long long max) const;
  bool as_bool() const;
  Millis as_duration() const;                       ///< "300ms", "2s"
  std::vector<std::string> as_string_list() const;  ///< a string or an array of strings

  std::optional<std::string> string_or(const std::string& name) const;

 private:
  const nlohmann::json& value_;
  std::string path_;
};

}  // namespace idem
