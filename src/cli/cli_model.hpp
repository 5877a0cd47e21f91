// A plain description of the command line (commands, their flags and the values some flags
// take), read from the same CLI11 objects that print `--help`, so the man pages and the shell
// completions generated from it cannot drift from the help text. Private to src/cli.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace idem::cli {

struct FlagModel {
  std::vector<std::string> names;  ///< "-t", "--threads"; long names last
  std::string value_name;          ///< "TEXT", "INT", ...; empty for a flag without a value
  std::string description;
  std::vector<std::string> choices;  ///< known values (profiles, bug modes, check ids); may be empty
};

struct CommandModel {
  std::string name;  ///< "idemctl" for the top level, else the subcommand's name
  std::string description;
  std::string footer;
  std::vector<FlagModel> flags;
  std::vector<std::string> positionals;  ///< names of positional arguments
};

/// The top level first, then each visible subcommand in registration order.
std::vector<CommandModel> describe_cli(const CLI::App& app);

/// The known values of a flag of a command ("--profile" -> default, ietf, ...), empty if none.
std::vector<std::string> flag_choices(const std::string& command, const std::string& flag);

}  // namespace idem::cli
