// The catalogue loads, covers SEMANTICS §3, and bad files are refused with file, JSON path and
// what was expected.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "idem/verify/scenario_loader.hpp"
#include "idem/verify/target.hpp"
#include "verify/verify_fixture.hpp"

using namespace idem;
using namespace idem::verify;

namespace {

std::string error_of(const std::string& text) {
  auto loaded = parse_scenarios(text, "bad.json");
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.error().code == ErrorCode::InvalidArgument);
  return loaded.error().message;
}

}  // namespace

TEST_CASE("scenario loader: every file in scenarios/ loads on its own", "[verify]") {
  const std::string dir = std::string(IDEM_SOURCE_DIR) + "/scenarios";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    auto loaded = load_scenario_file(entry.path().string());
    INFO(entry.path().string() << ": " << (loaded ? "" : loaded.error().message));
    CHECK(loaded.ok());
    if (loaded) CHECK_FALSE(loaded->empty());
  }
  CHECK(files >= 8);
}

TEST_CASE("scenario loader: the catalogue holds every check of SEMANTICS section 3", "[verify]") {
  std::set<std::string> ids;
  for (const auto& s : idem::test::source_catalogue()) ids.insert(s.id);
  const std::set<std::string> expected = {
      "missing-key",        "malformed-key",      "first-executes",
      "replay-identical",   "replay-status",      "replay-headers",
      "replay-marker",      "distinct-keys",      "concurrent-duplicates",
      "conflict-shape",     "after-burst-replay", "payload-mismatch",
      "endpoint-mismatch",  "principal-scope",    "server-error-not-cached",
      "crash-releases-key", "lost-response",      "client-abort",
      "large-response",     "safe-methods",       "key-expiry",
      "multi-instance",     "keys-in-parallel",   "header-name"};
  CHECK(ids == expected);
}

TEST_CASE("scenario loader: a wrong level names the file, the JSON path and the choices",
          "[verify]") {
  const std::string msg = error_of(
      R"({"checks": [{"id": "x", "title": "t", "level": "MAYBE", "steps": [{"send": {}}]}]})");
  CHECK_THAT(msg, Catch::StartsWith("bad.json: $.checks[0].level: expected MUST, SHOULD"));
}

TEST_CASE("scenario loader: typos, bad statuses and dangling step references are refused",
          "[verify]") {
  CHECK_THAT(error_of(R"({"checks": [{"id": "x", "title": "t", "level": "MUST",
                          "steps": [{"send": {"kee": "k"}}]}]})"),
             Catch::Contains("$.checks[0].steps[0].send.kee: unknown field"));
  CHECK_THAT(error_of(R"({"checks": [{"id": "x", "title": "t", "level": "MUST",
                          "steps": [{"send": {}, "expect": {"status": "2XX"}}]}]})"),
             Catch::Contains("$.checks[0].steps[0].expect.status: expected statuses"));
  CHECK_THAT(error_of(R"({"checks": [{"id": "x", "title": "t", "level": "MUST",
                          "steps": [{"send": {}, "expect": {"identical_to": "later"}}]}]})"),
             Catch::Contains("identical_to: expected the id of an earlier step"));
  CHECK_THAT(error_of(R"({"checks": [{"id": "x", "title": "t", "level": "MUST",
                          "steps": [{"send": {}, "burst": {}}]}]})"),
             Catch::Contains("$.checks[0].steps[0]: expected exactly one of send"));
  CHECK_THAT(error_of(R"({"checks": [{"id": "x", "title": "t", "level": "MUST",
                          "steps": [{"wait": "soon"}]}]})"),
             Catch::Contains("$.checks[0].steps[0].wait: expected a duration"));
  CHECK_THAT(error_of("{not json"),
             Catch::Contains("bad.json: line 1, column 3: not JSON: syntax error"));
  // Found by tests/fuzz/config_fuzz: a number too large for a double threw out_of_range past
  // the loader and ended the process; it is a named error like any other.
  CHECK_THAT(error_of(R"({"$comment": 111e1111111})"),
             Catch::Contains("bad.json: not JSON: number overflow"));
  auto target = parse_target_config(R"({"path": 1e999})", "t.json", TargetSpec{});
  REQUIRE_FALSE(target.ok());
  CHECK_THAT(target.error().message, Catch::Contains("t.json: not JSON: number overflow"));
  CHECK_THAT(error_of(R"({"checks": [{"title": "t"}]})"),
             Catch::Contains("$.checks[0]: expected a field 'id'"));
}

TEST_CASE("scenario loader: a check id defined twice in one directory is refused", "[verify]") {
  const auto dir =
      std::filesystem::temp_directory_path() / ("idem-verify-dup-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string check =
      R"({"checks": [{"id": "same", "title": "t", "level": "MUST", "steps": [{"send": {}}]}]})";
  std::ofstream(dir / "a.json") << check;
  std::ofstream(dir / "b.json") << check;
  auto loaded = load_scenario_dir(dir.string());
  std::filesystem::remove_all(dir);
  REQUIRE_FALSE(loaded.ok());
  CHECK_THAT(loaded.error().message, Catch::Contains("'same' is defined twice"));
}

TEST_CASE("target config: fields override the base and errors name the JSON path", "[verify]") {
  TargetSpec base;
  auto t = parse_target_config(R"({"targets": ["http://127.0.0.1:9"], "path": "/orders",
      "slow_trigger": {"headers": {"X-Slow": "1"}, "delay": "300ms"},
      "executions": {"url": "/count?k={{key}}", "pointer": "/n"}})",
                               "t.json", base);
  REQUIRE(t.ok());
  CHECK(t->path == "/orders");
  CHECK(t->method == "POST");
  CHECK(t->slow_delay == Millis{300});
  CHECK(t->count == CountMode::ExecutionsUrl);
  auto bad =
      parse_target_config(R"({"slow_trigger": {"headers": {"X-Slow": "1"}}})", "t.json", base);
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error().message,
             Catch::StartsWith("t.json: $.slow_trigger: expected a field 'delay'"));
  auto bad_url = parse_target_config(R"({"targets": "localhost:8080"})", "t.json", base);
  REQUIRE_FALSE(bad_url.ok());
  CHECK_THAT(bad_url.error().message, Catch::Contains("$.targets: expected base URLs"));
}
