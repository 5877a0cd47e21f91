// `idemctl help [COMMAND]`: the same text as `--help`, for people who type it that way.
#include <iostream>

#include "commands.hpp"

namespace idem::cli {

void register_help(CLI::App& app) {
  auto* help = app.add_subcommand("help", "Show help for idemctl or one of its commands");
  auto topic = std::make_shared<std::string>();
  help->add_option("command", *topic, "The command to describe");
  help->callback([&app, help, topic] {
    if (topic->empty()) {
      std::cout << app.help();
      throw CLI::Success();
    }
    for (auto* sub : app.get_subcommands({})) {
      if (sub->get_name() == *topic && sub != help) {
        std::cout << sub->help();
        throw CLI::Success();
      }
    }
    throw CLI::ValidationError("help", "unknown command '" + *topic + "'");
  });
}

}  // namespace idem::cli
