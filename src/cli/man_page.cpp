#include "man_page.hpp"

#include <sstream>

#include "exit_codes.hpp"

namespace idem::cli {
namespace {

// Text as roff: backslashes escaped, hyphens as \- (so a flag renders as an ASCII "-", which a
// reader can copy), and a line that would start with a control character guarded by \&.
std::string roff(const std::string& text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    line_start = false;
    switch (c) {
      case '\\': out += "\\e"; break;
      case '-': out += "\\-"; break;
      case '\n':
        out += '\n';
        line_start = true;
        break;
      default: out += c;
    }
  }
  return out;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

void write_flags(std::ostream& out, const CommandModel& command) {
  out << ".SH OPTIONS\n";
  for (const FlagModel& flag : command.flags) {
    out << ".TP\n";
    std::string names;
    for (const std::string& n : flag.names) names += (names.empty() ? "" : ", ") + n;
    out << "\\fB" << roff(names) << "\\fR";
    if (!flag.value_name.empty()) out << " \\fI" << roff(flag.value_name) << "\\fR";
    out << "\n" << roff(flag.description) << "\n";
    if (!flag.choices.empty()) {
      std::string values;
      for (const std::string& v : flag.choices) values += (values.empty() ? "" : ", ") + v;
      out << ".br\nValues: " << roff(values) << ".\n";
    }
  }
}

void write_exit_status(std::ostream& out) {
  const std::pair<int, const char*> codes[] = {
      {kExitOk, "success: every check passed, every threshold held"},
      {kExitChecksFailed, "a check failed, an invariant was violated or a threshold was breached"},
      {kExitUsage, "usage or configuration error (a flag, file or field named on stderr)"},
      {kExitUnreachable, "the target or a dependency (Redis) could not be reached"},
      {kExitInterrupted, "interrupted by SIGINT or SIGTERM"},
  };
  out << ".SH EXIT STATUS\n";
  for (const auto& [code, meaning] : codes) out << ".TP\n.B " << code << "\n" << meaning << "\n";
}

}  // namespace

std::string render_man_page(const std::vector<CommandModel>& commands, size_t index,
                            const std::string& version) {
  const CommandModel& command = commands.at(index);
  const bool top = index == 0;
  const std::string page = top ? "idemctl" : "idemctl-" + command.name;
  std::ostringstream out;
  out << ".TH " << upper(roff(page)) << " 1 \"\" \"idemctl " << roff(version)
      << "\" \"User Commands\"\n";
  out << ".SH NAME\n" << roff(page) << " \\- " << roff(command.description) << "\n";
  out << ".SH SYNOPSIS\n.B idemctl\n";
  if (top) {
    out << ".I COMMAND\n[\\fIOPTIONS\\fR]\n";
  } else {
    out << ".B " << roff(command.name) << "\n[\\fIOPTIONS\\fR]\n";
    for (const std::string& p : command.positionals) out << "[\\fI" << roff(upper(p)) << "\\fR]\n";
  }
  if (top) {
    out << ".SH COMMANDS\n";
    for (size_t i = 1; i < commands.size(); ++i) {
      out << ".TP\n.B " << roff(commands[i].name) << "\n" << roff(commands[i].description)
          << " See \\fBidemctl\\-" << roff(commands[i].name) << "\\fR(1).\n";
    }
  }
  write_flags(out, command);
  if (!command.footer.empty()) out << ".SH NOTES\n" << roff(command.footer) << "\n";
  write_exit_status(out);
  out << ".SH ENVIRONMENT\n"
      << ".TP\n.B IDEMCTL_SCENARIOS\nThe directory of the check catalogue (default: "
         "\\fI../share/idemctl/scenarios\\fR beside the binary).\n"
      << ".TP\n.B NO_COLOR\nWhen set to a non-empty value, no colour is printed.\n";
  out << ".SH SEE ALSO\n";
  if (top) {
    for (size_t i = 1; i < commands.size(); ++i) {
      out << "\\fBidemctl\\-" << roff(commands[i].name) << "\\fR(1)"
          << (i + 1 < commands.size() ? ",\n" : "\n");
    }
  } else {
    out << "\\fBidemctl\\fR(1)\n";
  }
  return out.str();
}

}  // namespace idem::cli
