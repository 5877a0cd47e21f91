// One connection slot of LoadLoop's load mode: an easy handle configured once
// (set_common_options) and re-armed for every request with prepared header lines and a body, so a request costs no
// allocation of ours. The answer goes through a body sink (keep a prefix, hash, or discard)
// instead of being kept whole. Not thread-safe: a slot belongs to one loop thread.
#pragma once

#include <curl/curl.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "curl_transfer.hpp"
#include "idem/client/http_client.hpp"
#include "idem/client/load_loop.hpp"

namespace idem::curl {

class LoadConnection {
 public:
  static constexpr size_t kMaxHeaderLines = LoadLoop::kMaxHeaderLines;
  static constexpr size_t kExampleBytes = LoadLoop::kExampleBytes;
  static constexpr size_t kKeepBytes = LoadLoop::kLoadKeepBytes;

  LoadConnection() = default;
  LoadConnection(const LoadConnection&) = delete;
  LoadConnection& operator=(const LoadConnection&) = delete;

  /// Creates the handle with `common`'s URL, timeouts and method. "" on success, else why not.
  std::string init(const ClientRequest& common, BodySink sink);

  /// Points the handle at `url` (kept; must outlive the transfer), `header_lines` ("Name: value",
  /// at most kMaxHeaderLines, kept) and `body` (kept). Allocation-free unless the URL changed.
  bool arm(const std::string& url, std::span<const std::string* const> header_lines,
           std::string_view body);

  /// The answer of the finished transfer whose curl result is `code`.
  LoadAnswer finish(CURLcode code);

  CURL* handle() const { return handle_.get(); }
  std::string_view head() const { return {head_.data(), head_size_}; }  ///< prefix for examples
  std::string_view body() const { return {body_.data(), body_size_}; }  ///< prefix for examples
  const char* error_message() const { return error_buffer_; }

 private:
  static size_t on_header(char* data, size_t size, size_t count, void* self) noexcept;
  static size_t on_body(char* data, size_t size, size_t count, void* self) noexcept;
  static int on_prereq(void* self, char*, char*, int, int) noexcept;

  EasyHandle handle_;
  BodySink sink_ = BodySink::Hash;
  bool sends_body_ = false;
  const std::string* url_ = nullptr;
  std::array<curl_slist, kMaxHeaderLines + 2> nodes_{};
  std::vector<char> head_;
  std::vector<char> body_;
  size_t head_size_ = 0;
  size_t body_size_ = 0;
  LoadAnswer answer_;
  int attempts_ = 0;
  char error_buffer_[CURL_ERROR_SIZE] = {};
};

/// FNV-1a 64: a cheap streaming hash for body and header identity (not a security boundary).
inline constexpr uint64_t kFnvOffset = 1469598103934665603ULL;
inline uint64_t fnv1a(uint64_t h, std::string_view bytes) noexcept {
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace idem::curl
