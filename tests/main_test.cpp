// The Catch2 runner lives in its own translation unit so it compiles once. It holds the one
// libcurl initialisation the process needs before any test thread sends.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "idem/client/http_client.hpp"

int main(int argc, char* argv[]) {
  const idem::CurlGlobal curl;
  return Catch::Session().run(argc, argv);
}
