// Idempotency-Key header parsing and validation (draft-ietf-httpapi-idempotency-key-header §2:
// the value is an sf-string; we also accept a bare token, as most clients send one).
// Pure functions, safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "idem/result.hpp"

namespace idem {

inline constexpr size_t kMaxKeyLength = 255;

enum class KeyFormat {
  Uuid4,  ///< a UUID version 4, as the original design asks
  Any,    ///< 1 to 255 printable ASCII characters
};

Result<KeyFormat> parse_key_format(std::string_view text);
std::string_view to_string(KeyFormat format);

/// Parses the values of every `Idempotency-Key` header line of one request.
/// Returns nullopt when there is no header line (a missing key), the key otherwise.
/// InvalidArgument, with a reason fit for a problem `detail`, when there are two lines, the
/// quoting is broken, or the key does not match `format`. `"abc"` and `abc` name one key.
Result<std::optional<std::string>> parse_idempotency_key(const std::vector<std::string>& lines,
                                                         KeyFormat format);

/// True for a canonical 8-4-4-4-12 hex UUID with version 4 and RFC 4122 variant.
bool is_uuid4(std::string_view text);

/// A fresh random UUID v4 from the OS CSPRNG (random_uuid4), for clients and tests.
std::string new_uuid4();

}  // namespace idem
