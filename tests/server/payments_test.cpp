#include "idem/server/payments.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

using idem::FakeClock;
using idem::PaymentsApp;

namespace {

constexpr std::string_view kBody = R"({"amount":1000,"currency":"EUR"})";

std::string created_id(PaymentsApp& app) {
  const auto r = app.create(kBody, 0);
  REQUIRE(r.status == 201);
  return nlohmann::json::parse(r.body).at("id").get<std::string>();
}

}  // namespace

TEST_CASE("Payments: ids are random, so two instances never hand out the same id",
          "[server][payments]") {
  FakeClock clock;
  PaymentsApp a(std::chrono::hours(1), 10'000, clock);
  PaymentsApp b(std::chrono::hours(1), 10'000, clock);
  std::set<std::string> ids;
  for (int i = 0; i < 1'000; ++i) {
    ids.insert(created_id(a));
    ids.insert(created_id(b));
  }
  CHECK(ids.size() == 2'000);
  const std::string id = *ids.begin();
  CHECK(id.starts_with("pay_"));
  CHECK(id.size() == 4 + 32);
}

TEST_CASE("Payments: a created payment is readable at its Location with the same fields",
          "[server][payments]") {
  PaymentsApp app;
  const auto created = app.create(kBody, 0);
  REQUIRE(created.status == 201);
  const auto location = idem::find_header(created.headers, "Location");
  REQUIRE(location);
  REQUIRE(location->starts_with("/payments/"));
  const auto read = app.get(location->substr(10));
  REQUIRE(read.status == 200);
  CHECK(nlohmann::json::parse(read.body) == nlohmann::json::parse(created.body));
}

TEST_CASE("Payments: a payment is forgotten after its retention", "[server][payments]") {
  FakeClock clock;
  PaymentsApp app(std::chrono::seconds(10), 10'000, clock);
  const std::string id = created_id(app);
  clock.advance(std::chrono::milliseconds(9'999));
  CHECK(app.get(id).status == 200);
  clock.advance(std::chrono::milliseconds(1));
  CHECK(app.get(id).status == 404);
  CHECK(app.size() == 0);
}

TEST_CASE("Payments: beyond the cap the oldest payment is forgotten first", "[server][payments]") {
  FakeClock clock;
  constexpr size_t kCap = 100;
  PaymentsApp app(std::chrono::hours(1), kCap, clock);
  const std::string first = created_id(app);
  const std::string second = created_id(app);
  for (size_t i = 2; i < kCap; ++i) created_id(app);
  CHECK(app.size() == kCap);
  CHECK(app.get(first).status == 200);
  created_id(app);
  CHECK(app.size() == kCap);
  CHECK(app.get(first).status == 404);
  CHECK(app.get(second).status == 200);
}

TEST_CASE("Payments: a flood of creations keeps the table at its cap", "[server][payments]") {
  FakeClock clock;
  PaymentsApp app(std::chrono::hours(1), 1'000, clock);
  for (int i = 0; i < 20'000; ++i) REQUIRE(app.create(kBody, 0).status == 201);
  CHECK(app.size() == 1'000);
  CHECK(idem::kMaxPayments > 0);
}

TEST_CASE("Payments: an id we could not have made is a 404 that does not echo it",
          "[server][payments]") {
  PaymentsApp app;
  for (const std::string& bad :
       std::vector<std::string>{"pay_1", "x", "\xff\xfe", "pay_" + std::string(32, 'g')}) {
    const auto r = app.get(bad);
    CHECK(r.status == 404);
    CHECK(r.body.find(bad) == std::string::npos);
  }
}
