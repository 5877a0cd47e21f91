#include "idem/random.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <thread>
#include <vector>

#include "idem/key.hpp"
#include "idem/store/store.hpp"

TEST_CASE("Random: hex tokens have two digits per byte and do not repeat", "[random]") {
  std::set<std::string> seen;
  for (int i = 0; i < 10'000; ++i) {
    const std::string token = idem::random_hex(16);
    REQUIRE(token.size() == 32);
    REQUIRE(token.find_first_not_of("0123456789abcdef") == std::string::npos);
    seen.insert(token);
  }
  CHECK(seen.size() == 10'000);
}

TEST_CASE("Random: generated UUIDs are valid v4 and distinct", "[random]") {
  std::set<std::string> seen;
  for (int i = 0; i < 10'000; ++i) {
    const std::string uuid = idem::random_uuid4();
    REQUIRE(idem::is_uuid4(uuid));
    seen.insert(uuid);
  }
  CHECK(seen.size() == 10'000);
  CHECK(idem::is_uuid4(idem::new_uuid4()));
}

TEST_CASE("Random: every bit position takes both values (no stuck bits)", "[random]") {
  std::array<std::byte, 64> ones{};
  std::array<std::byte, 64> zeros{};
  zeros.fill(std::byte{0xff});
  for (int i = 0; i < 64; ++i) {
    std::array<std::byte, 64> b{};
    idem::random_bytes(b);
    for (size_t j = 0; j < b.size(); ++j) {
      ones[j] |= b[j];
      zeros[j] &= b[j];
    }
  }
  for (size_t j = 0; j < ones.size(); ++j) {
    CHECK(ones[j] == std::byte{0xff});
    CHECK(zeros[j] == std::byte{0});
  }
}

TEST_CASE("Random: large requests bypass the pool and are filled completely", "[random]") {
  std::vector<std::byte> big(100'000, std::byte{0});
  idem::random_bytes(big);
  size_t zero = 0;
  for (std::byte b : big) zero += b == std::byte{0} ? 1 : 0;
  CHECK(zero < 1'000);  // ~390 expected for uniform bytes; an unfilled tail would be ~all
}

TEST_CASE("Random: threads drawing at once never hand out the same owner token", "[random]") {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 5'000;
  std::vector<std::vector<std::string>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i)
        got[static_cast<size_t>(t)].push_back(idem::new_owner_token());
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::string> all;
  for (const auto& v : got) all.insert(v.begin(), v.end());
  CHECK(all.size() == static_cast<size_t>(kThreads * kPerThread));
  CHECK(all.begin()->size() == 2 * idem::kOwnerTokenBytes);
}
