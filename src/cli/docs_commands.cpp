// `idemctl completion bash|zsh` and `idemctl man [COMMAND]`: a shell completion script and the
// man pages, both generated from the registered commands themselves (cli_model.hpp), so they
// always match `--help`. `man` is hidden: the build and the package run it, people read man(1).
#include <fstream>
#include <iostream>
#include <memory>

#include "cli_model.hpp"
#include "commands.hpp"
#include "completion_script.hpp"
#include "exit_codes.hpp"
#include "man_page.hpp"

namespace idem::cli {
namespace {

int write_man_pages(const std::vector<CommandModel>& commands, const std::string& dir) {
  for (size_t i = 0; i < commands.size(); ++i) {
    const std::string name = i == 0 ? "idemctl" : "idemctl-" + commands[i].name;
    const std::string path = dir + "/" + name + ".1";
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << render_man_page(commands, i, IDEM_VERSION);
    file.close();
    if (!file) {
      std::cerr << "idemctl man: --output-dir: cannot write " << path << "\n";
      return kExitUsage;
    }
  }
  return kExitOk;
}

}  // namespace

void register_docs_commands(CLI::App& app, CommandRunner& run) {
  auto* completion = app.add_subcommand(
      "completion", "Print a shell completion script (bash or zsh) for idemctl");
  auto shell = std::make_shared<std::string>();
  completion->add_option("shell", *shell, "bash or zsh")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}));
  completion->footer(
      "bash: source <(idemctl completion bash)   zsh: idemctl completion zsh > ~/.zfunc/_idemctl");
  completion->callback([&app, &run, shell] {
    run = [&app, shell] {
      const auto commands = describe_cli(app);
      std::cout << (*shell == "bash" ? bash_completion(commands) : zsh_completion(commands));
      return kExitOk;
    };
  });

  auto* man = app.add_subcommand("man", "Print the man page of idemctl or of one command (roff)");
  man->group("");  // hidden: for the build and the package
  auto topic = std::make_shared<std::string>();
  auto out_dir = std::make_shared<std::string>();
  man->add_option("command", *topic, "The command; none for idemctl(1)");
  man->add_option("--output-dir", *out_dir,
                  "Write idemctl.1 and idemctl-COMMAND.1 for every command into this directory");
  man->callback([&app, &run, topic, out_dir] {
    run = [&app, topic, out_dir] {
      const auto commands = describe_cli(app);
      if (!out_dir->empty()) return write_man_pages(commands, *out_dir);
      for (size_t i = 0; i < commands.size(); ++i) {
        if ((topic->empty() && i == 0) || (i > 0 && commands[i].name == *topic)) {
          std::cout << render_man_page(commands, i, IDEM_VERSION);
          return kExitOk;
        }
      }
      std::cerr << "idemctl man: unknown command '" << *topic << "'\n";
      return kExitUsage;
    };
  });
}

}  // namespace idem::cli
