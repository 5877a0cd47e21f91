// HdrHistogram's compressed V2 encoding: round trips through our decoder, a histogram encoded
// by another implementation (hdr-histogram-js) decodes to the counts it recorded, and hostile
// input is refused with an error instead of a crash or a huge allocation.
#include <catch2/catch.hpp>
#include <random>
#include <zlib.h>

#include "idem/stress/hdr_codec.hpp"

using namespace idem;

namespace {

SparseCounts counts_of(const std::vector<int64_t>& values) {
  Histogram h;
  for (const int64_t v : values) h.record(v);
  return h.nonzero_counts();
}

void put32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}
void put64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

/// A V2 histogram of our layout whose payload is `payload` (already ZigZag LEB128), deflated
/// behind the compressed cookie: built by hand so that it can say what our encoder never would.
std::string wrap(const std::string& payload, uint64_t highest = Histogram::kHighest) {
  std::string raw;
  put32(raw, 0x1c849313);
  put32(raw, static_cast<uint32_t>(payload.size()));
  put32(raw, 0);
  put32(raw, 3);
  put64(raw, 1);
  put64(raw, highest);
  put64(raw, 0x3ff0000000000000ULL);  // 1.0
  raw += payload;
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string deflated(size, '\0');
  REQUIRE(compress2(reinterpret_cast<Bytef*>(deflated.data()), &size,
                    reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
                    9) == Z_OK);
  deflated.resize(size);
  std::string out;
  put32(out, 0x1c849314);
  put32(out, static_cast<uint32_t>(deflated.size()));
  return base64_encode(out + deflated);
}

/// ZigZag LEB128 of small values, for hand-built payloads.
std::string zigzag(int64_t v) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  std::string out;
  while (z >= 0x80) {
    out.push_back(static_cast<char>((z & 0x7f) | 0x80));
    z >>= 7;
  }
  out.push_back(static_cast<char>(z));
  return out;
}

}  // namespace

TEST_CASE("hdr codec: base64 follows RFC 4648's test vectors both ways", "[stress][hdr]") {
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    CHECK(base64_encode(plain) == encoded);
    auto back = base64_decode(encoded);
    REQUIRE(back);
    CHECK(*back == plain);
  }
  for (const std::string bad : {"Zg=", "Zm9v!A==", "=Zm9", "Zg==Zg==", "Z==="}) {
    INFO(bad);
    CHECK_FALSE(base64_decode(bad));
  }
}

TEST_CASE("hdr codec: a histogram survives its encoding count for count", "[stress][hdr]") {
  std::mt19937_64 rng(7);
  std::vector<int64_t> values;
  // Dense near the bottom, sparse runs of zeros up to the top of the range, both extremes.
  for (int i = 0; i < 20000; ++i) values.push_back(static_cast<int64_t>(rng() % 5000) + 1);
  for (int i = 0; i < 300; ++i) values.push_back(static_cast<int64_t>(rng() % 3'000'000'000ULL) + 1);
  values.push_back(1);
  values.push_back(Histogram::kHighest);
  const SparseCounts counts = counts_of(values);
  const std::string text = encode_hdr_base64(counts);
  CHECK(text.rfind("HISTF", 0) == 0);  // 0x1c849314 in base64
  auto decoded = decode_hdr_base64(text);
  REQUIRE(decoded);
  CHECK(*decoded == counts);

  auto empty = decode_hdr_base64(encode_hdr_base64({}));
  REQUIRE(empty);
  CHECK(empty->empty());

  // One zero between two counts is written as 0, not as a run.
  const SparseCounts gap1 = {{0, 5}, {2, 1}, {3, 1'000'000'000'000ULL}};
  auto g = decode_hdr_base64(encode_hdr_base64(gap1));
  REQUIRE(g);
  CHECK(*g == gap1);
}

TEST_CASE("hdr codec: a histogram encoded by hdr-histogram-js decodes to the values it recorded",
          "[stress][hdr]") {
  // hdr-histogram-js 3.0.1: build({lowestDiscernibleValue: 1, highestTrackableValue: 3600000000,
  // numberOfSignificantValueDigits: 3}), recordValue() of each value below, then
  // encodeIntoCompressedBase64().
  const std::string js =
      "HISTFAAAAD54nJNpmSzMwMAgzcDAwMjAwMDMAAEgNsO1yUsY4HwmFqbj/CxP2ZkOczCxbIxgus3K9DmE6e50RiYAAdAKww==";
  const std::vector<int64_t> values = {1,    2,    2,    3,      1000,   1500,    1000,
                                       2047, 2048, 2049, 100000, 123456, 5000000, 3600000000};
  auto decoded = decode_hdr_base64(js);
  REQUIRE(decoded);
  CHECK(*decoded == counts_of(values));
}

TEST_CASE("hdr codec: hostile input is refused with a reason", "[stress][hdr]") {
  const std::string good = encode_hdr_compressed(counts_of({1, 2, 3, 1000}));
  SECTION("not base64") { CHECK_FALSE(decode_hdr_base64("HISTF***")); }
  SECTION("truncated at every length") {
    for (size_t n = 0; n < good.size(); ++n) {
      const auto r = decode_hdr_base64(base64_encode(good.substr(0, n)));
      INFO(n);
      CHECK_FALSE(r);
    }
  }
  SECTION("a wrong cookie") {
    std::string bad = good;
    bad[3] = static_cast<char>(bad[3] ^ 0x01);
    const auto r = decode_hdr_base64(base64_encode(bad));
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::Contains("cookie"));
  }
  SECTION("a compressed length past the data") {
    std::string bad = good;
    bad[4] = '\x7f';
    CHECK_FALSE(decode_hdr_base64(base64_encode(bad)));
  }
  SECTION("a corrupt deflate stream") {
    std::string bad = good;
    for (size_t i = 10; i < bad.size(); ++i) bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    CHECK_FALSE(decode_hdr_base64(base64_encode(bad)));
  }
  SECTION("a hand-built histogram decodes as written") {
    auto r = decode_hdr_base64(wrap(zigzag(3) + zigzag(-10) + zigzag(0) + zigzag(7)));
    REQUIRE(r);
    CHECK(*r == SparseCounts{{0, 3}, {12, 7}});
  }
  SECTION("counts past the layout's end") {
    const auto r = decode_hdr_base64(wrap(zigzag(-Histogram::kCountsLength) + zigzag(1)));
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::Contains("layout"));
  }
  SECTION("another layout") {
    const auto r = decode_hdr_base64(wrap(zigzag(1), 1000));
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::Contains("another layout"));
  }
  SECTION("a payload that inflates past the limit (a deflate bomb)") {
    const std::string zeros(kMaxDecodedHistogramBytes + 1, '\0');
    const auto r = decode_hdr_base64(wrap(zeros));
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::Contains("inflates past"));
  }
  SECTION("a count cut short") {
    CHECK_FALSE(decode_hdr_base64(wrap(std::string("\x81"))));
  }
  SECTION("random bytes behind a valid cookie never crash") {
    std::mt19937_64 rng(11);
    for (int i = 0; i < 500; ++i) {
      std::string bytes = good.substr(0, 8);
      const size_t n = rng() % 200;
      for (size_t j = 0; j < n; ++j) bytes.push_back(static_cast<char>(rng()));
      bytes[4] = 0;
      bytes[5] = 0;
      bytes[6] = 0;
      bytes[7] = static_cast<char>(n);
      const auto r = decode_hdr_base64(base64_encode(bytes));
      if (r) CHECK(r->size() <= static_cast<size_t>(Histogram::kCountsLength));
    }
  }
}
