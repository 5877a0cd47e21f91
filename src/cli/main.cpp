// idemctl entry point: builds the CLI11 app from one file per subcommand and maps errors to the
// documented exit codes.
#include <CLI/CLI.hpp>
#include <algorithm>
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
  if (argc > 1 && argv[1][0] != '-') {
    // CLI11 would say "The following arguments were not expected"; name the command instead.
    const std::string name = argv[1];
    const auto commands = app.get_subcommands([](CLI::App*) { return true; });
    const bool known = std::any_of(commands.begin(), commands.end(),
                                   [&](const CLI::App* c) { return c->check_name(name); });
    if (!known) {
      std::cerr << "idemctl: unknown command '" << name << "' (see idemctl --help)\n";
      return idem::cli::kExitUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::cerr << "idemctl: " << e.what() << " (see idemctl --help)\n";
    return idem::cli::kExitUsage;
  }
  return run ? run() : idem::cli::kExitUsage;
}
