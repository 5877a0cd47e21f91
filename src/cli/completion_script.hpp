// Shell completion scripts for bash and zsh, generated from the CLI model: commands, flags, and
// the values of flags that take known ones (profiles, bug modes, check ids). Private to src/cli.
#pragma once

#include <string>
#include <vector>

#include "cli_model.hpp"

namespace idem::cli {

std::string bash_completion(const std::vector<CommandModel>& commands);
std::string zsh_completion(const std::vector<CommandModel>& commands);

}  // namespace idem::cli
