#include "idem/record.hpp"

#include <cassert>
#include <cstring>
#include <limits>
#include <new>

namespace idem {

namespace {

size_t varint_size(size_t n) {
  size_t bytes = 1;
  while (n >= 0x80) {
    n >>= 7;
    ++bytes;
  }
  return bytes;
}

std::byte* write_varint(std::byte* p, size_t n) {
  while (n >= 0x80) {
    *p++ = static_cast<std::byte>((n & 0x7f) | 0x80);
    n >>= 7;
  }
  *p++ = static_cast<std::byte>(n);
  return p;
}

}  // namespace

// 0 when `name` must be stored in full. Exact case only, so a replay repeats the name as given.
std::uint8_t StoredResponse::name_code(std::string_view name) {
  for (size_t i = 0; i < std::size(kWellKnownNames); ++i) {
    if (kWellKnownNames[i] == name) return static_cast<std::uint8_t>(i + 1);
  }
  return kLiteralName;
}

size_t StoredResponse::bytes_for(const HttpResponse& response) {
  size_t n = sizeof(StoredResponse) + response.body.size();
  for (const auto& [name, value] : response.headers) {
    n += 1 + varint_size(value.size()) + value.size();
    if (name_code(name) == kLiteralName) n += varint_size(name.size()) + name.size();
  }
  return n;
}

const StoredResponse* StoredResponse::write(std::byte* at, const HttpResponse& response) {
  // Statuses are 3 digits and headers a handful; both are checked where they are made.
  assert(response.status >= 0 && response.status <= 0xffff);
  assert(response.headers.size() <= 0xffff);
  auto* out = new (at) StoredResponse();
  out->status_ = static_cast<std::uint16_t>(response.status);
  out->header_count_ = static_cast<std::uint16_t>(response.headers.size());
  auto* p = at + sizeof(StoredResponse);
  for (const auto& [name, value] : response.headers) {
    const std::uint8_t code = name_code(name);
    *p++ = static_cast<std::byte>(code);
    if (code == kLiteralName) {
      p = write_varint(p, name.size());
      if (!name.empty()) std::memcpy(p, name.data(), name.size());
      p += name.size();
    }
    p = write_varint(p, value.size());
    if (!value.empty()) std::memcpy(p, value.data(), value.size());
    p += value.size();
  }
  assert(static_cast<size_t>(p - (at + sizeof(StoredResponse))) <=
         std::numeric_limits<std::uint32_t>::max());
  out->body_offset_ = static_cast<std::uint32_t>(p - (at + sizeof(StoredResponse)));
  out->body_size_ = response.body.size();
  if (!response.body.empty()) std::memcpy(p, response.body.data(), response.body.size());
  return out;
}

std::shared_ptr<const StoredResponse> StoredResponse::make(const HttpResponse& response) {
  static_assert(alignof(StoredResponse) <= alignof(std::max_align_t));
  const size_t bytes = bytes_for(response);
  // One allocation: make_shared of an array puts the counts and the bytes side by side. The
  // alias keeps the array alive as long as any replay holds the response.
  auto block = std::make_shared_for_overwrite<std::uint64_t[]>((bytes + 7) / 8);
  const StoredResponse* packed = write(reinterpret_cast<std::byte*>(block.get()), response);
  return std::shared_ptr<const StoredResponse>(std::move(block), packed);
}

std::string_view StoredResponse::body() const {
  return {reinterpret_cast<const char*>(contents() + body_offset_), body_size_};
}

HttpResponse StoredResponse::to_response() const {
  HttpResponse out;
  out.status = status_;
  out.headers.reserve(header_count_);
  for_each_header([&](std::string_view name, std::string_view value) {
    out.headers.emplace_back(std::string(name), std::string(value));
  });
  out.body.assign(body());
  return out;
}

}  // namespace idem
