// The stored-response encoding: exact round trips and refusal of corrupt data.
#include <catch2/catch.hpp>

#include "store/redis_record_codec.hpp"

using namespace idem;

TEST_CASE("Record codec: status, headers and a binary body round-trip exactly", "[store]") {
  std::string body = "a\0b\r\n\r\nc";
  body += std::string(1, '\0');
  const HttpResponse in{201, {{"Content-Type", "x/y"}, {"Link", ""}, {"A 1", "b\nc 2\n"}}, body};
  auto out = decode_response(encode_response(in));
  REQUIRE(out.ok());
  CHECK(out->status == 201);
  CHECK(out->headers == in.headers);
  CHECK(out->body == in.body);
}

TEST_CASE("Record codec: an empty body and no headers round-trip", "[store]") {
  auto out = decode_response(encode_response(HttpResponse{204, {}, ""}));
  REQUIRE(out.ok());
  CHECK(out->status == 204);
  CHECK(out->headers.empty());
  CHECK(out->body.empty());
}

TEST_CASE("Record codec: corrupt or truncated data is an Internal error", "[store]") {
  const std::string good = encode_response(HttpResponse{200, {{"Location", "/x"}}, "body"});
  for (const std::string& bad : {std::string(), std::string("garbage"), std::string("200 1\n"),
                                 std::string("200 1\n8 2\nLoc"), std::string("99 0\n"),
                                 std::string("200 99999999\n"), good.substr(0, 12)}) {
    auto out = decode_response(bad);
    INFO(bad);
    REQUIRE(!out.ok());
    CHECK(out.error().code == ErrorCode::Internal);
  }
}
