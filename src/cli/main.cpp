// idemctl entry point: builds the CLI11 app from one file per subcommand and maps errors to the
// documented exit codes.
#include <CLI/CLI.hpp>
#include <iostream>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "idem/version.hpp"

int main(int argc, char** argv) {
  CLI::App app{"idemctl: test, verify and load-test HTTP idempotency (Idempotency-Key)", "idemctl"};
  app.set_version_flag("--version", idem::version_text());
  app.require_subcommand(1);
  idem::cli::CommandRunner run;
  idem::cli::register_commands(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::cerr << "idemctl: " << e.what() << " (see idemctl --help)\n";
    return idem::cli::kExitUsage;
  }
  return run ? run() : idem::cli::kExitUsage;
}
