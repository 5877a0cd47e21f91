// Request fingerprints (what makes "the same request") and caller scopes. Pure functions over
// OpenSSL's SHA-256, safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "idem/result.hpp"

namespace idem {

enum class FingerprintMode {
  Raw,   ///< the body bytes as sent
  Json,  ///< a JSON body canonicalised first (key order, whitespace); other bodies as Raw
};

Result<FingerprintMode> parse_fingerprint_mode(std::string_view text);
std::string_view to_string(FingerprintMode mode);

/// SHA-256 of `data`.
std::array<unsigned char, 32> sha256(std::string_view data);

/// The first 128 bits of SHA-256(data): a fixed-size name for a key in in-process tables, where
/// no one can aim one key at another's entry.
std::array<std::uint8_t, 16> digest128(std::string_view data);

/// Lowercase hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

/// SHA-256 over method, path-with-query and body. Reusing a key on another endpoint therefore
/// changes the fingerprint, so it is a mismatch rather than a replay of the other endpoint.
std::string request_fingerprint(std::string_view method, std::string_view target,
                                std::string_view body, FingerprintMode mode);

/// The record key: a hash of the caller's scope value (Authorization by default) joined to the
/// idempotency key, so two callers using one key never share a record. An absent scope header
/// is its own scope ("-").
std::string scoped_record_key(std::string_view scope_value, std::string_view key);

}  // namespace idem
