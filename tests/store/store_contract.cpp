#include "store/store_contract.hpp"

#include <atomic>
#include <mutex>
#include <catch2/catch.hpp>
#include <random>

#include "idem/fingerprint.hpp"
#include "idem/key.hpp"
#include "support/test_server.hpp"

namespace idem::test {
namespace {

const std::string kFp = "fp-1";
constexpr Millis kLongLease = std::chrono::seconds(30);
constexpr Millis kLongTtl = std::chrono::hours(1);

HttpResponse sample_response() {
  return HttpResponse{
      201, {{"Content-Type", "application/json"}, {"Location", "/payments/p1"}}, R"({"id":"p1"})"};
}

// A response no text encoding survives by accident: every byte value, NUL and CRLF included.
HttpResponse large_binary_response() {
  std::mt19937 rng(42);  // seeded: the same bytes every run
  std::string body(3 * 1024 * 1024 + 7, '\0');
  for (char& c : body) c = static_cast<char>(rng() & 0xff);
  return HttpResponse{202,
                      {{"Content-Type", "application/octet-stream"},
                       {"ETag", "\"a\r\nb\0c\"" + std::string(1, '\0')},
                       {"Link", ""}},
                      body};
}

void require_same(const StoredResponse& stored, const HttpResponse& b) {
  const HttpResponse a = stored.to_response();
  CHECK(a.status == b.status);
  CHECK(a.headers == b.headers);
  REQUIRE(a.body.size() == b.body.size());
  CHECK((a.body == b.body));  // parenthesised: no multi-MiB dump on failure
}

// Scoped record keys look like "<scope hash>:<client key>"; the client part may hold anything
// printable, braces included.
std::string fresh_key() { return "scope:" + new_uuid4() + "{x}}{"; }

}  // namespace

void check_store_contract(StoreUnderTest& t) {
  Store& store = t.store;
  const std::string key = fresh_key();

  SECTION("a first claim is Claimed with an owner token, a second is InFlight") {
    auto first = store.claim(key, kFp, kLongLease);
    REQUIRE(first.ok());
    CHECK(first->state == ClaimState::Claimed);
    CHECK(!first->owner.empty());
    CHECK(!first->took_over);
    auto second = store.claim(key, "other-fp", kLongLease);
    REQUIRE(second.ok());
    CHECK(second->state == ClaimState::InFlight);
    CHECK(second->fingerprint == kFp);
    CHECK(second->owner.empty());
    CHECK(second->lock_remaining > Millis{0});
    CHECK(second->lock_remaining <= kLongLease);
  }

  SECTION("a completed key returns its fingerprint and the stored response") {
    auto c = store.claim(key, kFp, kLongLease);
    REQUIRE(c.ok());
    REQUIRE(store.complete(key, c->owner, sample_response(), kLongTtl).ok());
    auto again = store.claim(key, kFp, kLongLease);
    REQUIRE(again.ok());
    CHECK(again->state == ClaimState::Completed);
    CHECK(again->fingerprint == kFp);
    REQUIRE(again->response);
    require_same(*again->response, sample_response());
  }

  SECTION("a SHA-256 fingerprint matches itself and no other, locked or completed") {
    const std::string fp = sha256_hex("POST /payments {\"amount\":1}");
    const std::string other = sha256_hex("POST /payments {\"amount\":2}");
    auto c = store.claim(key, fp, kLongLease);
    REQUIRE(c.ok());
    auto locked_same = store.claim(key, fp, kLongLease);
    auto locked_other = store.claim(key, other, kLongLease);
    REQUIRE((locked_same.ok() && locked_other.ok()));
    CHECK(locked_same->fingerprint == fp);
    CHECK(locked_other->fingerprint != other);
    REQUIRE(store.complete(key, c->owner, sample_response(), kLongTtl).ok());
    auto done_same = store.claim(key, fp, kLongLease);
    auto done_other = store.claim(key, other, kLongLease);
    REQUIRE((done_same.ok() && done_other.ok()));
    CHECK(done_same->fingerprint == fp);
    CHECK(done_other->fingerprint != other);
  }

  SECTION("complete and release by a wrong or stale owner are Conflict and change nothing") {
    auto c = store.claim(key, kFp, kLongLease);
    REQUIRE(c.ok());
    auto wrong_complete = store.complete(key, "not-the-owner", sample_response(), kLongTtl);
    REQUIRE(!wrong_complete.ok());
    CHECK(wrong_complete.error().code == ErrorCode::Conflict);
    auto wrong_release = store.release(key, "not-the-owner");
    REQUIRE(!wrong_release.ok());
    CHECK(wrong_release.error().code == ErrorCode::Conflict);
    auto still = store.claim(key, kFp, kLongLease);
    REQUIRE(still.ok());
    CHECK(still->state == ClaimState::InFlight);

    REQUIRE(store.complete(key, c->owner, sample_response(), kLongTtl).ok());
    auto twice = store.complete(key, c->owner, sample_response(), kLongTtl);
    REQUIRE(!twice.ok());
    CHECK(twice.error().code == ErrorCode::Conflict);
    auto late_release = store.release(key, c->owner);
    REQUIRE(!late_release.ok());
    CHECK(late_release.error().code == ErrorCode::Conflict);
    auto done = store.claim(key, kFp, kLongLease);
    REQUIRE(done.ok());
    CHECK(done->state == ClaimState::Completed);
  }

  SECTION("an unknown key cannot be completed or released") {
    auto c = store.complete(key, "nobody", sample_response(), kLongTtl);
    REQUIRE(!c.ok());
    CHECK(c.error().code == ErrorCode::Conflict);
    auto r = store.release(key, "nobody");
    REQUIRE(!r.ok());
    CHECK(r.error().code == ErrorCode::Conflict);
  }

  SECTION("a release lets a retry claim again and voids the old owner") {
    auto c = store.claim(key, kFp, kLongLease);
    REQUIRE(c.ok());
    REQUIRE(store.release(key, c->owner).ok());
    auto retry = store.claim(key, kFp, kLongLease);
    REQUIRE(retry.ok());
    CHECK(retry->state == ClaimState::Claimed);
    CHECK(retry->owner != c->owner);
    auto stale = store.complete(key, c->owner, sample_response(), kLongTtl);
    REQUIRE(!stale.ok());
    CHECK(stale.error().code == ErrorCode::Conflict);
  }

  SECTION("distinct keys are claimed independently") {
    const std::string other = fresh_key();
    auto a = store.claim(key, kFp, kLongLease);
    auto b = store.claim(other, kFp, kLongLease);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->state == ClaimState::Claimed);
    CHECK(b->state == ClaimState::Claimed);
  }

  SECTION("an expired lock is taken over and its old owner can no longer complete") {
    auto c = store.claim(key, kFp, t.short_ttl);
    REQUIRE(c.ok());
    REQUIRE(c->state == ClaimState::Claimed);
    auto held = store.claim(key, kFp, kLongLease);
    REQUIRE(held.ok());
    CHECK(held->state == ClaimState::InFlight);
    CHECK(held->lock_remaining <= t.short_ttl);
    Claim taken;
    REQUIRE(t.eventually([&] {
      auto again = store.claim(key, kFp, kLongLease);
      REQUIRE(again.ok());
      if (again->state != ClaimState::Claimed) return false;
      taken = *again;
      return true;
    }));
    CHECK(taken.took_over == t.reports_takeover);
    auto stale = store.complete(key, c->owner, sample_response(), kLongTtl);
    REQUIRE(!stale.ok());
    CHECK(stale.error().code == ErrorCode::Conflict);
    CHECK(store.complete(key, taken.owner, sample_response(), kLongTtl).ok());
  }

  SECTION("a completed record expires after its TTL and the key runs again") {
    auto c = store.claim(key, kFp, kLongLease);
    REQUIRE(c.ok());
    REQUIRE(store.complete(key, c->owner, sample_response(), t.short_ttl).ok());
    auto replay = store.claim(key, kFp, kLongLease);
    REQUIRE(replay.ok());
    CHECK(replay->state == ClaimState::Completed);
    REQUIRE(t.eventually([&] {
      auto again = store.claim(key, kFp, kLongLease);
      REQUIRE(again.ok());
      return again->state == ClaimState::Claimed;
    }));
  }

  SECTION("a multi-MiB binary response round-trips byte for byte") {
    auto c = store.claim(key, kFp, kLongLease);
    REQUIRE(c.ok());
    const HttpResponse big = large_binary_response();
    REQUIRE(store.complete(key, c->owner, big, kLongTtl).ok());
    auto replay = store.claim(key, kFp, kLongLease);
    REQUIRE(replay.ok());
    REQUIRE(replay->state == ClaimState::Completed);
    REQUIRE(replay->response);
    require_same(*replay->response, big);
  }

  SECTION("many threads claiming one key at once: exactly one Claimed, the rest InFlight") {
    constexpr int kThreads = 16;
    constexpr int kRounds = 20;
    int rounds_ok = 0;
    for (int round = 0; round < kRounds; ++round) {
      const std::string k = fresh_key();
      std::atomic<int> claimed{0};
      std::atomic<int> in_flight{0};
      std::atomic<int> failed{0};
      std::mutex mu;  // guards failure
      std::string failure;
      run_together(kThreads, [&](int) {
        auto c = store.claim(k, kFp, kLongLease);
        if (!c.ok()) {
          ++failed;
          std::lock_guard lock(mu);
          failure = c.error().message;
        } else if (c->state == ClaimState::Claimed) {
          ++claimed;
        } else if (c->state == ClaimState::InFlight) {
          ++in_flight;
        }
      });
      INFO("round " << round << ": claimed " << claimed << ", in flight " << in_flight
                    << ", failed " << failed << " " << failure);
      CHECK(claimed == 1);
      CHECK(in_flight == kThreads - 1);
      if (claimed == 1 && in_flight == kThreads - 1) ++rounds_ok;
    }
    CHECK(rounds_ok == kRounds);
  }
}

}  // namespace idem::test
