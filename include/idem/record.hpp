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
      std::uint32_t lens[2];
      __builtin_memcpy(lens, p, sizeof lens);
      p += sizeof lens;
      const auto* chars = reinterpret_cast<const char*>(p);
      f(std::string_view(chars, lens[0]), std::string_view(chars + lens[0], lens[1]));
      p += lens[0] + lens[1];
    }
  }
  /// An HttpResponse copy (headers and body), for callers that must own one.
  HttpResponse to_response() const;

 private:
  StoredResponse() = default;
  const std::byte* contents() const { return reinterpret_cast<const std::byte*>(this + 1); }

  std::uint16_t status_ = 0;
  std::uint16_t header_count_ = 0;
  std::uint32_t body_offset_ = 0;  // from contents()
  std::uint64_t body_size_ = 0;
};

}  // namespace idem
