#include "commands.hpp"

namespace idem::cli {

void register_commands(CLI::App& app, CommandRunner& run) {
  register_serve(app, run);
  register_verify(app, run);
  register_stress(app, run);
  register_report(app, run);
  register_chaos(app, run);
  register_help(app);
  register_docs_commands(app, run);
}

}  // namespace idem::cli
