#include "idem/fingerprint.hpp"

#include <openssl/evp.h>

#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "json_text.hpp"

namespace idem {
namespace {

struct EvpMdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

std::string to_hex(const unsigned char* data, unsigned int size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(size * 2u, '\0');
  for (unsigned int i = 0; i < size; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 0xf];
  }
  return out;
}

}  // namespace

Result<FingerprintMode> parse_fingerprint_mode(std::string_view text) {
  if (text == "raw") return FingerprintMode::Raw;
  if (text == "json") return FingerprintMode::Json;
  return make_error(ErrorCode::InvalidArgument,
                    "invalid fingerprint mode '" + std::string(text) + "': expected raw or json");
}

std::string_view to_string(FingerprintMode mode) {
  return mode == FingerprintMode::Raw ? "raw" : "json";
}

std::array<unsigned char, 32> sha256(std::string_view data) {
  // OpenSSL 3 looks the algorithm up (under a global lock) on every implicit fetch; fetch it
  // once, and keep one digest context per thread, since this runs on every guarded request.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local const std::unique_ptr<EVP_MD_CTX, EvpMdCtxDeleter> ctx{EVP_MD_CTX_new()};
  std::array<unsigned char, 32> digest{};
  unsigned int size = 0;
  // These calls fail only on allocation failure or a broken OpenSSL; both are bugs here.
  [[maybe_unused]] const bool ok =
      sha256 != nullptr && ctx && EVP_DigestInit_ex2(ctx.get(), sha256, nullptr) == 1 &&
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) == 1 &&
      EVP_DigestFinal_ex(ctx.get(), digest.data(), &size) == 1 && size == digest.size();
  assert(ok);
  return digest;
}

std::array<std::uint8_t, 16> digest128(std::string_view data) {
  const auto full = sha256(data);
  std::array<std::uint8_t, 16> out{};
  std::memcpy(out.data(), full.data(), out.size());
  return out;
}

std::string sha256_hex(std::string_view data) {
  const auto digest = sha256(data);
  return to_hex(digest.data(), static_cast<unsigned int>(digest.size()));
}

std::string request_fingerprint(std::string_view method, std::string_view target,
                                std::string_view body, FingerprintMode mode) {
  std::string material;
  material.reserve(method.size() + target.size() + body.size() + 2);
  material.append(method).append("\n").append(target).append("\n");
  if (mode == FingerprintMode::Json) {
    // nlohmann::json keeps object keys sorted, so dump() is a canonical form. A body nested
    // deeper than kMaxJsonDepth is not canonicalised (dump() recurses) but hashed as sent.
    auto parsed = parse_bounded_json(body);
    if (!parsed.is_discarded()) {
      material.append(dump_json(parsed));
      return sha256_hex(material);
    }
  }
  material.append(body);
  return sha256_hex(material);
}

std::string scoped_record_key(std::string_view scope_value, std::string_view key) {
  const std::string scope = scope_value.empty() ? "-" : sha256_hex(scope_value).substr(0, 16);
  std::string out;
  out.reserve(scope.size() + 1 + key.size());
  out.append(scope).append(":").append(key);
  return out;
}

}  // namespace idem
