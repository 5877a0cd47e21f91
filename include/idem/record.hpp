// StoredResponse: what a replay needs of a completed answer (status, replayed headers, body),
// packed into one immutable block that every replay shares instead of copying. Read-only after
// it is made, so any number of threads may read one at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "idem/http.hpp"

namespace idem {

class StoredResponse {
 public:
  /// Bytes that write() uses for `response` (header and contents).
  static size_t bytes_for(const HttpResponse& response);
  /// Packs `response` into `at`, which must hold bytes_for(response) bytes aligned for
  /// StoredResponse. The result lives as long as that storage; it needs no destructor.
  static const StoredResponse* write(std::byte* at, const HttpResponse& response);
  /// A packed copy of `response` in one shared allocation.
  static std::shared_ptr<const StoredResponse> make(const HttpResponse& response);

  int status() const { return status_; }
  size_t header_count() const { return header_count_; }
  std::string_view body() const;
  /// Bytes this response occupies (what bytes_for() asked for).
  size_t packed_bytes() const { return sizeof(StoredResponse) + body_offset_ + body_size_; }
  /// Calls f(name, value) for each header in order.
  template <class F>
  void for_each_header(F&& f) const {
    const std::byte* p = contents();
    for (size_t i = 0; i < header_count_; ++i) {
      const auto code = static_cast<std::uint8_t>(*p++);
      std::string_view name;
      if (code == kLiteralName) {
        const size_t len = read_length(p);
        name = {reinterpret_cast<const char*>(p), len};
        p += len;
      } else {
        name = kWellKnownNames[code - 1];
      }
      const size_t len = read_length(p);
      f(name, std::string_view(reinterpret_cast<const char*>(p), len));
      p += len;
    }
  }
  /// An HttpResponse copy (headers and body), for callers that must own one.
  HttpResponse to_response() const;

 private:
  // Each header is a name code (a well-known name's index + 1, or 0 and the name), then the
  // value; lengths are LEB128 varints. The names replays carry most (SEMANTICS §2) cost one byte.
  static constexpr std::uint8_t kLiteralName = 0;
  static constexpr std::string_view kWellKnownNames[] = {"Content-Type", "Location", "ETag",
                                                         "Link"};
  static std::uint8_t name_code(std::string_view name);
  static size_t read_length(const std::byte*& p) {
    size_t n = 0;
    for (int shift = 0;; shift += 7) {
      const auto b = static_cast<std::uint8_t>(*p++);
      n |= static_cast<size_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return n;
    }
  }

  StoredResponse() = default;
  const std::byte* contents() const { return reinterpret_cast<const std::byte*>(this + 1); }

  std::uint16_t status_ = 0;
  std::uint16_t header_count_ = 0;
  std::uint32_t body_offset_ = 0;  // from contents()
  std::uint64_t body_size_ = 0;
};

}  // namespace idem
