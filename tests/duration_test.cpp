#include "idem/duration.hpp"

#include <catch2/catch.hpp>
#include <limits>

using namespace idem;
using std::chrono::milliseconds;

TEST_CASE("duration: what format_duration prints parses back to the same value", "[duration]") {
  // Found by tests/fuzz/option_values_fuzz: "200303000001s10ms" parsed, but its printed form
  // "200303000001010ms" was refused, because each part was bounded as if it were in hours.
  const auto d = parse_duration("200303000001s10ms");
  REQUIRE(d.ok());
  CHECK(format_duration(*d) == "200303000001010ms");
  const auto again = parse_duration(format_duration(*d));
  REQUIRE(again.ok());
  CHECK(*again == *d);
  for (auto ms : {0LL, 1LL, 999LL, 1000LL, 90'000LL, 3'600'000LL, 5'400'001LL,
                  std::numeric_limits<long long>::max()}) {
    const auto back = parse_duration(format_duration(milliseconds{ms}));
    REQUIRE(back.ok());
    CHECK(back->count() == ms);
  }
}

TEST_CASE("duration: one past the largest value is refused in every unit", "[duration]") {
  const auto max = std::numeric_limits<long long>::max();
  CHECK(parse_duration(std::to_string(max) + "ms").ok());
  CHECK_FALSE(parse_duration("9223372036854775808ms").ok());
  CHECK_FALSE(parse_duration(std::to_string(max / 1000 + 1) + "s").ok());
  CHECK_FALSE(parse_duration(std::to_string(max) + "ms1ms").ok());
  CHECK_FALSE(parse_duration("99999999999999999999999h").ok());
}
