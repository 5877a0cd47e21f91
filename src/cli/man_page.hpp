// Renders idemctl(1) and idemctl-COMMAND(1) in roff (man(7) macros) from the CLI model.
// Private to src/cli; pure functions.
#pragma once

#include <string>
#include <vector>

#include "cli_model.hpp"

namespace idem::cli {

/// The page of `commands[index]`; index 0 is idemctl(1), which also lists every command.
std::string render_man_page(const std::vector<CommandModel>& commands, size_t index,
                            const std::string& version);

}  // namespace idem::cli
