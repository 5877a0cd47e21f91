// HdrHistogram's compressed V2 encoding of our Histogram layout (lowest 1, highest kHighest,
// 3 significant digits), as the base64 text an HdrHistogram interval log carries: the V2 cookie
// 0x1c849313, a 40-byte header, the counts as ZigZag LEB128 longs with negative runs of zeros,
// deflated (zlib) behind the compressed cookie 0x1c849314. Pure functions, any thread.
#pragma once

#include <string>
#include <string_view>

#include "idem/result.hpp"
#include "idem/stress/stress_report.hpp"

namespace idem {

/// Inflated histograms larger than this are refused by the decoder (ours need at most
/// 40 + 9 * kCountsLength bytes, about 212 KiB).
inline constexpr size_t kMaxDecodedHistogramBytes = 1 << 20;

/// `counts` (indexes of our layout, ascending, counts > 0) as HdrHistogram's
/// encodeIntoCompressedByteBuffer() bytes.
std::string encode_hdr_compressed(const SparseCounts& counts);
/// The same, base64 (RFC 4648, padded): an interval log line's last field.
std::string encode_hdr_base64(const SparseCounts& counts);

/// Reads what encode_hdr_base64() writes (and what HdrHistogram writes for a histogram of our
/// layout): InvalidArgument on bad base64, a wrong cookie, a corrupt deflate stream, another
/// layout, counts past the layout's end or a decoded size past kMaxDecodedHistogramBytes.
Result<SparseCounts> decode_hdr_base64(std::string_view text);

/// RFC 4648 base64 with padding, and its reverse (InvalidArgument on any other character or a
/// length that is not a multiple of 4).
std::string base64_encode(std::string_view bytes);
Result<std::string> base64_decode(std::string_view text);

}  // namespace idem
