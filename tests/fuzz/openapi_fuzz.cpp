// OpenAPI documents handed to verify --openapi, read as YAML and as JSON. Never crash, throw or
// recurse without bound; errors name the file; every endpoint's body template renders to JSON.
#include <nlohmann/json.hpp>
#include <string>

#include "fuzz_input.hpp"
#include "idem/openapi/openapi_import.hpp"
#include "idem/target/render.hpp"

namespace {

void check(const std::string& text, const std::string& file) {
  idem::OpenApiOptions options;
  options.all_writes = (text.size() % 2) == 0;  // both selections, from the input itself
  auto imported = idem::import_openapi(text, file, options);
  if (!imported) {
    idem::fuzz::require(imported.error().message.find(file) == 0, "an error names the file");
    return;
  }
  for (const idem::Endpoint& e : imported->endpoints) {
    if (!e.body || e.body->empty()) continue;
    idem::fuzz::require(nlohmann::json::accept(idem::render_body(*e.body, 1001)),
                        "a body template renders to JSON");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(idem::fuzz::as_text(data, size));
  check(text, "fuzz.yaml");
  check(text, "fuzz.json");
  return 0;
}
