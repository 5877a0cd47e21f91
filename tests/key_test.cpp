#include "idem/key.hpp"

#include <catch2/catch.hpp>
#include <set>

using idem::KeyFormat;
using idem::parse_idempotency_key;

namespace {
const std::string kUuid = "0f8fad5b-d9cb-469f-a165-70867728950e";
}

TEST_CASE("Key: no header line means a missing key, not an error", "[key]") {
  auto parsed = parse_idempotency_key({}, KeyFormat::Uuid4);
  REQUIRE(parsed.ok());
  CHECK_FALSE(parsed->has_value());
}

TEST_CASE("Key: a bare token and its quoted sf-string name the same key", "[key]") {
  auto bare = parse_idempotency_key({kUuid}, KeyFormat::Uuid4);
  auto quoted = parse_idempotency_key({"\"" + kUuid + "\""}, KeyFormat::Uuid4);
  REQUIRE(bare.ok());
  REQUIRE(quoted.ok());
  CHECK(**bare == kUuid);
  CHECK(**quoted == kUuid);
}

TEST_CASE("Key: sf-string escapes decode to the escaped character", "[key]") {
  auto parsed = parse_idempotency_key({R"("a\"b\\c")"}, KeyFormat::Any);
  REQUIRE(parsed.ok());
  CHECK(**parsed == R"(a"b\c)");
}

TEST_CASE("Key: malformed values are rejected with a reason", "[key]") {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"\"unbalanced"}, "closing quote"},
      {{"\"bad\\escape\""}, "escape"},
      {{"\"in\"side\""}, "unescaped quote"},
      {{std::string("ctl\x01")}, "non-printable"},
      {{""}, "empty"},
      {{std::string(256, 'k')}, "longer than 255"},
      {{"k1", "k2"}, "more than one"},
  };
  for (const auto& [lines, reason] : cases) {
    INFO("reason: " << reason);
    auto parsed = parse_idempotency_key(lines, KeyFormat::Any);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == idem::ErrorCode::InvalidArgument);
    CHECK_THAT(parsed.error().message, Catch::Contains(reason));
  }
}

TEST_CASE("Key: 255 printable characters are accepted under the any format", "[key]") {
  auto parsed = parse_idempotency_key({std::string(255, 'k')}, KeyFormat::Any);
  CHECK(parsed.ok());
}

TEST_CASE("Key: the uuid4 format accepts only version 4 UUIDs", "[key]") {
  CHECK(parse_idempotency_key({kUuid}, KeyFormat::Uuid4).ok());
  CHECK_FALSE(parse_idempotency_key({"order-42"}, KeyFormat::Uuid4).ok());
  // version 1 UUID
  CHECK_FALSE(parse_idempotency_key({"0f8fad5b-d9cb-169f-a165-70867728950e"}, KeyFormat::Uuid4).ok());
  // wrong variant
  CHECK_FALSE(parse_idempotency_key({"0f8fad5b-d9cb-469f-7165-70867728950e"}, KeyFormat::Uuid4).ok());
}

TEST_CASE("Key: new_uuid4 produces distinct valid v4 UUIDs", "[key]") {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto id = idem::new_uuid4();
    REQUIRE(idem::is_uuid4(id));
    seen.insert(id);
  }
  CHECK(seen.size() == 1000);
}
