#include "idem/record.hpp"

#include <catch2/catch.hpp>
#include <string>

using idem::HttpResponse;
using idem::StoredResponse;

namespace {

HttpResponse round_trip(const HttpResponse& in) { return StoredResponse::make(in)->to_response(); }

void require_same(const HttpResponse& a, const HttpResponse& b) {
  REQUIRE(a.status == b.status);
  REQUIRE(a.headers == b.headers);
  REQUIRE(a.body == b.body);
}

}  // namespace

TEST_CASE("StoredResponse: status, every header in order with its exact name, and the body "
          "round-trip",
          "[store][record]") {
  HttpResponse in;
  in.status = 201;
  in.headers = {{"Content-Type", "application/json"},
                {"Location", "/payments/pay_0123"},
                {"content-type", "text/plain"},  // not the well-known spelling: kept as given
                {"X-Request-Id", ""},
                {"ETag", "\"v1\""},
                {"Link", "</a>; rel=next"},
                {"Location", "/second"}};
  in.body = std::string("{\"a\":1}\0tail", 12);
  require_same(round_trip(in), in);
  const auto stored = StoredResponse::make(in);
  CHECK(stored->status() == 201);
  CHECK(stored->header_count() == in.headers.size());
  CHECK(stored->body() == in.body);
}

TEST_CASE("StoredResponse: lengths of every size (one to three length bytes) survive",
          "[store][record]") {
  for (size_t len : {size_t{0}, size_t{1}, size_t{127}, size_t{128}, size_t{16'383},
                     size_t{16'384}, size_t{70'000}}) {
    HttpResponse in;
    in.status = 200;
    in.headers = {{std::string(len % 300 + 1, 'N'), std::string(len, 'v')},
                  {"Content-Type", std::string(len, 't')}};
    in.body = std::string(len * 3, 'b');
    INFO("length " << len);
    require_same(round_trip(in), in);
  }
}

TEST_CASE("StoredResponse: no headers and no body is a valid record", "[store][record]") {
  HttpResponse in;
  in.status = 204;
  require_same(round_trip(in), in);
}

TEST_CASE("StoredResponse: well-known header names take one byte, not the name",
          "[store][record]") {
  HttpResponse known, literal;
  known.headers = {{"Content-Type", "application/json"}};
  literal.headers = {{"Content-Typf", "application/json"}};
  CHECK(StoredResponse::bytes_for(literal) - StoredResponse::bytes_for(known) ==
        std::string("Content-Type").size() + 1);
}
