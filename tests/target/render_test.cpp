#include "idem/target/render.hpp"

#include <catch2/catch.hpp>

#include "idem/target/execution_count.hpp"

using idem::CountMode;
using idem::TargetSpec;

TEST_CASE("Target: {{n}} expands everywhere and {{uuid}} to one UUID per rendering", "[target]") {
  const std::string a = idem::render_body(R"({"n":{{n}},"m":{{n}},"id":"{{uuid}}","r":"{{uuid}}"})", 7);
  CHECK(a.find("{{") == std::string::npos);
  CHECK(a.find(R"("n":7,"m":7)") != std::string::npos);
  const size_t id = a.find(R"("id":")") + 6;
  const size_t r = a.find(R"("r":")") + 5;
  CHECK(a.substr(id, 36) == a.substr(r, 36));
  const std::string b = idem::render_body(R"({"id":"{{uuid}}"})", 7);
  CHECK(b.substr(7, 36) != a.substr(id, 36));
}

TEST_CASE("Target: the executions URL encodes the key and resolves against the base", "[target]") {
  CHECK(idem::render_executions_url("/x?key={{key}}", "http://127.0.0.1:1", "a b") ==
        "http://127.0.0.1:1/x?key=a%20b");
  CHECK(idem::render_executions_url("http://h:2/c/{{key}}", "http://127.0.0.1:1", "k") ==
        "http://h:2/c/k");
}

TEST_CASE("Target: an execution is identified by its resource id, else by its body", "[target]") {
  TargetSpec t;
  t.count = CountMode::ResourceId;
  t.resource_id_pointer = "/id";
  CHECK(idem::execution_identity(t, R"({"id":"p1","at":1})") ==
        idem::execution_identity(t, R"({"at":2,"id":"p1"})"));
  CHECK(idem::execution_identity(t, "not json") == "not json");
  // Issue #8: an id nested 70 000 deep overflowed the stack in dump() (verify --resource-id /id
  // segfaulted); past the depth bound the body is its own identity, and nothing recurses.
  const std::string deep = R"({"id":)" + std::string(70000, '[') + std::string(70000, ']') + "}";
  CHECK(idem::execution_identity(t, deep) == deep);
  t.count = CountMode::BodyIdentity;
  CHECK(idem::execution_identity(t, R"({"id":"p1","at":1})") == R"({"id":"p1","at":1})");
}

TEST_CASE("Target: an executions answer without an integer is Unavailable naming the URL",
          "[target]") {
  TargetSpec t;
  idem::ClientResponse res;
  res.response.status = 200;
  res.response.body = R"({"executions":"2"})";
  auto n = idem::parse_execution_count(t, res, "http://u");
  REQUIRE_FALSE(n.ok());
  CHECK(n.error().message.find("http://u") != std::string::npos);
  res.response.body = R"({"executions":2})";
  REQUIRE(idem::parse_execution_count(t, res, "http://u").ok());
  CHECK(*idem::parse_execution_count(t, res, "http://u") == 2);
}
