#include "idem/stress/hdr_codec.hpp"

#include <zlib.h>

#include <array>
#include <cstring>

namespace idem {
namespace {

// HdrHistogram's V2 cookies; the low nibble's 0x10 says "word size 9" (ZigZag LEB128).
constexpr uint32_t kEncodingCookie = 0x1c849303 | 0x10;
constexpr uint32_t kCompressedCookie = 0x1c849304 | 0x10;
constexpr size_t kHeaderBytes = 40;
constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

Error invalid(const std::string& what) {
  return Error{ErrorCode::InvalidArgument, "hdr histogram: " + what};
}

void put32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}
void put64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}
uint64_t get_be(std::string_view in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(in[at + static_cast<size_t>(i)]);
  return v;
}

// HdrHistogram's ZigZagEncoding.putLong: ZigZag, then LEB128 with at most 9 bytes (the ninth
// carries a full 8 bits).
void put_zigzag(std::string& out, int64_t value) {
  uint64_t v = (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
  for (int i = 0; i < 8; ++i) {
    if ((v >> 7) == 0) {
      out.push_back(static_cast<char>(v));
      return;
    }
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

/// Reads one ZigZag LEB128 long at `at`; false past the end.
bool get_zigzag(std::string_view in, size_t& at, int64_t& value) {
  uint64_t v = 0;
  for (int i = 0; i < 9; ++i) {
    if (at >= in.size()) return false;
    const auto byte = static_cast<unsigned char>(in[at++]);
    if (i == 8) {
      v |= static_cast<uint64_t>(byte) << 56;
      break;
    }
    v |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) break;
  }
  value = static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
  return true;
}

std::string encode_uncompressed(const SparseCounts& counts) {
  std::string payload;
  int next = 0;  // the first index not written yet
  for (const auto& [index, count] : counts) {
    if (count == 0 || index < next || index >= Histogram::kCountsLength) continue;
    const int zeros = index - next;
    // A single zero is written as 0, longer runs as their negated length.
    if (zeros == 1) put_zigzag(payload, 0);
    if (zeros > 1) put_zigzag(payload, -static_cast<int64_t>(zeros));
    put_zigzag(payload, static_cast<int64_t>(count));
    next = index + 1;
  }
  std::string out;
  put32(out, kEncodingCookie);
  put32(out, static_cast<uint32_t>(payload.size()));
  put32(out, 0);  // normalizing index offset
  put32(out, static_cast<uint32_t>(Histogram::kSignificantDigits));
  put64(out, static_cast<uint64_t>(Histogram::kLowest));
  put64(out, static_cast<uint64_t>(Histogram::kHighest));
  double ratio = 1.0;  // integer to double conversion ratio, as a raw IEEE 754 double
  uint64_t bits = 0;
  std::memcpy(&bits, &ratio, sizeof bits);
  put64(out, bits);
  return out + payload;
}

}  // namespace

std::string encode_hdr_compressed(const SparseCounts& counts) {
  const std::string raw = encode_uncompressed(counts);
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string deflated(size, '\0');
  // The zlib format (RFC 1950) that Java's Deflater and node's inflateSync use.
  const int rc = compress2(reinterpret_cast<Bytef*>(deflated.data()), &size,
                           reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
                           Z_DEFAULT_COMPRESSION);
  if (rc != Z_OK) return {};  // only on out-of-memory, with a buffer of compressBound's size
  deflated.resize(size);
  std::string out;
  put32(out, kCompressedCookie);
  put32(out, static_cast<uint32_t>(deflated.size()));
  return out + deflated;
}

std::string encode_hdr_base64(const SparseCounts& counts) {
  return base64_encode(encode_hdr_compressed(counts));
}

Result<SparseCounts> decode_hdr_base64(std::string_view text) {
  auto bytes = base64_decode(text);
  if (!bytes) return bytes.error();
  const std::string_view in = *bytes;
  if (in.size() < 8 || get_be(in, 0, 4) != kCompressedCookie) {
    return invalid("expected the compressed V2 cookie 0x1c849314");
  }
  const uint64_t deflated = get_be(in, 4, 4);
  if (deflated > in.size() - 8) return invalid("the compressed length runs past the data");
  std::string raw(kMaxDecodedHistogramBytes, '\0');
  uLongf size = static_cast<uLongf>(raw.size());
  const int rc = uncompress(reinterpret_cast<Bytef*>(raw.data()), &size,
                            reinterpret_cast<const Bytef*>(in.data() + 8), static_cast<uLong>(deflated));
  if (rc == Z_BUF_ERROR) {
    return invalid("inflates past " + std::to_string(kMaxDecodedHistogramBytes) + " bytes");
  }
  if (rc != Z_OK) return invalid("corrupt deflate stream");
  raw.resize(size);
  if (raw.size() < kHeaderBytes || get_be(raw, 0, 4) != kEncodingCookie) {
    return invalid("expected the V2 cookie 0x1c849313");
  }
  const uint64_t payload = get_be(raw, 4, 4);
  if (payload > raw.size() - kHeaderBytes) return invalid("the payload length runs past the data");
  // The normalizing index offset (bytes 8-11) is not checked: Java writes 0, hdr-histogram-js 1,
  // and neither shifts the counts of a histogram that was never shifted.
  if (get_be(raw, 12, 4) != static_cast<uint64_t>(Histogram::kSignificantDigits) ||
      get_be(raw, 16, 8) != static_cast<uint64_t>(Histogram::kLowest) ||
      get_be(raw, 24, 8) != static_cast<uint64_t>(Histogram::kHighest)) {
    return invalid("another layout (expected 1 to 3600000000 at 3 significant digits)");
  }
  SparseCounts out;
  const std::string_view body = std::string_view(raw).substr(kHeaderBytes, payload);
  size_t at = 0;
  int64_t index = 0;
  while (at < body.size()) {
    int64_t v = 0;
    if (!get_zigzag(body, at, v)) return invalid("a count is cut short");
    if (v < 0) {
      // A run of zeros; -v cannot overflow past the layout check below.
      if (v < -Histogram::kCountsLength) return invalid("a run of zeros past the layout's end");
      index += -v;
      continue;
    }
    if (index >= Histogram::kCountsLength) return invalid("counts past the layout's end");
    if (v > 0) out.emplace_back(static_cast<int>(index), static_cast<uint64_t>(v));
    ++index;
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                       static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kBase64[(v >> s) & 63]);
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) v |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out.push_back(kBase64[(v >> 18) & 63]);
    out.push_back(kBase64[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kBase64[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  std::array<int, 256> value{};
  value.fill(-1);
  for (int i = 0; i < 64; ++i) value[static_cast<unsigned char>(kBase64[i])] = i;
  if (text.size() % 4 != 0) return invalid("base64 length is not a multiple of 4");
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int pad = 0;
    uint32_t v = 0;
    for (size_t j = 0; j < 4; ++j) {
      const auto c = static_cast<unsigned char>(text[i + j]);
      if (c == '=' && last && j >= 2 && (j == 3 || text[i + 3] == '=')) {
        ++pad;
        v <<= 6;
        continue;
      }
      if (value[c] < 0 || pad > 0) return invalid("not base64");
      v = (v << 6) | static_cast<uint32_t>(value[c]);
    }
    out.push_back(static_cast<char>((v >> 16) & 0xff));
    if (pad < 2) out.push_back(static_cast<char>((v >> 8) & 0xff));
    if (pad < 1) out.push_back(static_cast<char>(v & 0xff));
  }
  return out;
}

}  // namespace idem
