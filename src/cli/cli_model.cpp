#include "cli_model.hpp"

#include "idem/bug_mode.hpp"
#include "idem/verify/scenario_loader.hpp"

namespace idem::cli {
namespace {

FlagModel describe_flag(const CLI::Option& opt) {
  FlagModel flag;
  for (const std::string& s : opt.get_snames()) flag.names.push_back("-" + s);
  for (const std::string& l : opt.get_lnames()) flag.names.push_back("--" + l);
  if (opt.get_type_size() != 0) flag.value_name = opt.get_type_name();
  flag.description = opt.get_description();
  return flag;
}

CommandModel describe_command(const CLI::App& app, const std::string& name) {
  CommandModel command;
  command.name = name;
  command.description = app.get_description();
  command.footer = app.get_footer();
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_group().empty()) continue;  // hidden
    if (opt->get_positional()) {
      command.positionals.push_back(opt->get_name());
      continue;
    }
    FlagModel flag = describe_flag(*opt);
    for (const std::string& n : flag.names) {
      flag.choices = flag_choices(name, n);
      if (!flag.choices.empty()) break;
    }
    command.flags.push_back(std::move(flag));
  }
  return command;
}

std::vector<std::string> check_ids() {
  std::vector<std::string> ids;
  auto dir = verify::find_scenario_dir();
  if (!dir) return ids;
  auto catalogue = verify::load_scenario_dir(*dir);
  if (!catalogue) return ids;
  for (const auto& scenario : *catalogue) ids.push_back(scenario.id);
  return ids;
}

}  // namespace

std::vector<std::string> flag_choices(const std::string& command, const std::string& flag) {
  if (flag == "--profile") return {"default", "ietf", "stripe", "fiber"};
  if (flag == "--bug") {
    std::vector<std::string> modes{"none"};
    for (BugMode mode : all_bug_modes()) modes.emplace_back(to_string(mode));
    return modes;
  }
  if (flag == "--key-format") return {"uuid4", "any"};
  if (flag == "--fingerprint") return {"raw", "json"};
  if (flag == "--log-format") return {"text", "json"};
  if (command == "verify" && (flag == "--only" || flag == "--skip")) return check_ids();
  if (command == "stress" && flag == "--pattern") return {"burst", "stagger=", "retry"};
  if (command == "verify" && flag == "--kind") return {"auto", "reference", "generic"};
  return {};
}

std::vector<CommandModel> describe_cli(const CLI::App& app) {
  std::vector<CommandModel> commands{describe_command(app, app.get_name())};
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_group().empty()) continue;  // hidden
    commands.push_back(describe_command(*sub, sub->get_name()));
  }
  return commands;
}

}  // namespace idem::cli
