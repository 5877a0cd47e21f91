// Registration of the subcommands. Each subcommand lives in its own file and, when parsed, sets
// the runner that main() calls after parsing succeeded.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace idem::cli {

/// What main() runs after a successful parse; returns the process exit code.
using CommandRunner = std::function<int()>;

void register_commands(CLI::App& app, CommandRunner& run);

void register_serve(CLI::App& app, CommandRunner& run);
void register_verify(CLI::App& app, CommandRunner& run);
void register_stress(CLI::App& app, CommandRunner& run);
void register_report(CLI::App& app, CommandRunner& run);
void register_chaos(CLI::App& app, CommandRunner& run);
void register_help(CLI::App& app);
void register_docs_commands(CLI::App& app, CommandRunner& run);

}  // namespace idem::cli
