#include "target/json_member.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace idem;

TEST_CASE("top_level_member: finds a top-level string or integer as dump() prints it",
          "[target]") {
  CHECK(top_level_member(R"({"id":"p_1","amount":10})", "id") == "\"p_1\"");
  CHECK(top_level_member(R"( { "amount" : 10 , "id" : -42 } )", "id") == "-42");
  CHECK(top_level_member("{\n\"x\":[1,{\"id\":3}],\"id\":7}", "id") == "7");
  // A nested member of the same name, before the top-level one, is not it.
  CHECK(top_level_member(R"({"customer":{"id":"c_1"},"id":"p_9"})", "id") == "\"p_9\"");
  // A value that merely equals the name is no member.
  CHECK(top_level_member(R"({"kind":"id","id":"p_2"})", "id") == "\"p_2\"");
}

TEST_CASE("top_level_member: leaves everything else to the parser", "[target]") {
  CHECK_FALSE(top_level_member(R"({"customer":{"id":"c_1"}})", "id"));  // nested only
  CHECK_FALSE(top_level_member(R"(["id",1])", "id"));                    // no object
  CHECK_FALSE(top_level_member(R"({"id":{"a":1}})", "id"));              // not a scalar
  CHECK_FALSE(top_level_member(R"({"id":"a\"b"})", "id"));               // escapes
  CHECK_FALSE(top_level_member(R"({"id":1.5})", "id"));                  // not an integer
  CHECK_FALSE(top_level_member(R"({"id":007})", "id"));                  // not JSON
  CHECK_FALSE(top_level_member(R"({"id":"unterminated)", "id"));
  CHECK_FALSE(top_level_member(R"({"id":12)", "id"));  // cut off: no end of the value
  CHECK_FALSE(top_level_member("", "id"));
  // Found by tests/fuzz/json_member_fuzz: a second document after the object is not the object.
  CHECK_FALSE(top_level_member(R"({} {"id":1})", "id"));
  CHECK_FALSE(top_level_member(R"({"a":1}]{"id":1})", "id"));
  // Found by tests/fuzz/json_member_fuzz: with a repeated member the last one counts, as in the
  // full parse; an escaped member name (which may spell the name) is left to the parser.
  CHECK(top_level_member(R"({"id":"first","id":"last"})", "id") == "\"last\"");
  CHECK_FALSE(top_level_member(R"({"id":"plain","id":{"x":1}})", "id"));
  CHECK_FALSE(top_level_member(R"({"id":1,"\u0069d":2})", "id"));
  // An integer that may not fit 64 bits is the parser's to read (it becomes a double there).
  CHECK(top_level_member(R"({"id":-999999999999999999})", "id") == "-999999999999999999");
  CHECK_FALSE(top_level_member(R"({"id":-4299999999999999999999999999})", "id"));
}

TEST_CASE("top_level_member: agrees with nlohmann's dump() wherever it answers", "[target]") {
  const char* bodies[] = {
      R"({"id":"p_1"})",          R"({"id":0})",           R"({"id":-0})",
      R"({"a":"}","id":"x{y"})",  R"({"a":"\"","id":5})",  R"({"id":"é ü"})",
      R"({"b":[{"id":1}],"id":2})", R"({"id":123456789012})",
  };
  for (const char* body : bodies) {
    INFO(body);
    const auto fast = top_level_member(body, "id");
    if (!fast) continue;
    CHECK(std::string(*fast) == nlohmann::json::parse(body).at("id").dump());
  }
}

TEST_CASE("single_level_pointer: only a plain one-level pointer names a member", "[target]") {
  CHECK(single_level_pointer("/id") == "id");
  CHECK_FALSE(single_level_pointer("/data/id"));
  CHECK_FALSE(single_level_pointer("/a~1b"));
  CHECK_FALSE(single_level_pointer(""));
  CHECK_FALSE(single_level_pointer("/"));
}
