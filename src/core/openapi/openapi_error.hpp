// The two ways reading an OpenAPI document fails, as exceptions inside src/core/openapi only
// (import_openapi catches both at its edge): the document is wrong (exit 2 naming where), or
// one operation cannot be instantiated (it is listed as skipped with the reason).
#pragma once

#include <stdexcept>
#include <string>

namespace idem::openapi {

/// A malformed or unsupported document: `path` is the JSON path of the offending value.
class DocumentError : public std::runtime_error {
 public:
  DocumentError(std::string path, const std::string& expected)
      : std::runtime_error(expected), path_(std::move(path)) {}
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// A valid operation verify cannot build a request for; what() is the reason shown.
class Uninstantiable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace idem::openapi
