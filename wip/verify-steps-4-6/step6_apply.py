R='/work/wt-verify/'
def edit(p, old, new, count=1):
    s=open(R+p).read()
    assert old in s, (p, old[:70])
    s=s.replace(old,new,count)
    open(R+p,'w').write(s)
# JSON documents with line and column
edit('src/core/target/json_field.hpp','''#include "idem/clock.hpp"''','''#include "idem/clock.hpp"
#include "idem/result.hpp"''')
edit('src/core/target/json_field.hpp','''}  // namespace idem''','''/// Parses a whole JSON document. InvalidArgument "FILE: line L, column C: expected a JSON
/// document (what the parser saw)" when it is not one.
Result<nlohmann::json> parse_json_document(const std::string& text, const std::string& file);

}  // namespace idem''')
s=open(R+'src/core/target/json_field.cpp').read()
s=s.rstrip()
assert s.endswith('}  // namespace idem')
s=s[:-len('}  // namespace idem')]+'''Result<nlohmann::json> parse_json_document(const std::string& text, const std::string& file) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based, one past the character the parser stopped at.
    const size_t at = std::min(text.size(), e.byte > 0 ? e.byte - 1 : 0);
    size_t line = 1;
    size_t column = 1;
    for (size_t i = 0; i < at; ++i) {
      column = text[i] == '\\n' ? 1 : column + 1;
      line += text[i] == '\\n' ? 1 : 0;
    }
    std::string what = e.what();
    if (const size_t colon = what.find(": "); colon != std::string::npos) what.erase(0, colon + 2);
    return make_error(ErrorCode::InvalidArgument, file + ": line " + std::to_string(line) +
                                                      ", column " + std::to_string(column) +
                                                      ": expected a JSON document (" + what + ")");
  }
}

}  // namespace idem
'''
open(R+'src/core/target/json_field.cpp','w').write(s)
for p in ['src/core/target/target_spec.cpp','src/core/verify/scenario_loader.cpp']:
    s=open(R+p).read()
    import re
    old_a='''  const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    return make_error(ErrorCode::InvalidArgument, file + ": $: expected a JSON document");
  }'''
    assert old_a in s, p
    s=s.replace(old_a,'''  auto parsed = parse_json_document(text, file);
  if (!parsed) return parsed.error();
  const nlohmann::json& json = *parsed;''')
    open(R+p,'w').write(s)

# NO_COLOR set but empty does not disable colour (no-color.org)
edit('src/cli/flag_parsing.cpp','''bool use_color() { return isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr; }''','''bool use_color() {
  // https://no-color.org: only a NO_COLOR that is present and not empty turns colour off.
  const char* no_color = std::getenv("NO_COLOR");
  return isatty(STDOUT_FILENO) == 1 && (no_color == nullptr || *no_color == '\\0');
}''')
edit('src/cli/flag_parsing.hpp','''/// True when stdout is a terminal and NO_COLOR is unset (https://no-color.org).''','''/// True when stdout is a terminal and NO_COLOR is unset or empty (https://no-color.org).''')

# sizes: overflow rejected
edit('src/cli/flag_parsing.cpp','''  if (!n || digits == 0 || scale == 0) {
    return make_error(ErrorCode::InvalidArgument,
                      "invalid size '" + std::string(text) + "': expected bytes, like 8MiB");
  }''','''  if (!n || digits == 0 || scale == 0 ||
      static_cast<unsigned long long>(*n) > std::numeric_limits<size_t>::max() /
                                                 static_cast<unsigned long long>(scale)) {
    return make_error(ErrorCode::InvalidArgument,
                      "invalid size '" + std::string(text) + "': expected bytes, like 8MiB");
  }''')
edit('src/cli/flag_parsing.cpp','''#include <cstdlib>''','''#include <cstdlib>
#include <limits>''')

# durations: the sum of parts must not overflow
edit('src/core/duration.cpp','''    total_ms += n * unit_ms;''','''    if (n * unit_ms > std::numeric_limits<std::int64_t>::max() - total_ms) return invalid();
    total_ms += n * unit_ms;''')

# key header: a header name (RFC 9110 token)
edit('src/core/verify/profile.cpp','''  if (axis == "key_header") {
    if (value.empty()) return bad_value(axis, value, "a header name");''','''  if (axis == "key_header") {
    // RFC 9110 §5.1: a field name is a token.
    const auto tchar = [](unsigned char c) {
      return std::isalnum(c) != 0 || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) !=
                                         std::string_view::npos;
    };
    if (value.empty() || !std::all_of(value.begin(), value.end(), tchar)) {
      return bad_value(axis, value, "a header name (letters, digits and !#$%&'*+-.^_`|~)");
    }''')
edit('src/core/verify/profile.cpp','''#include <charconv>''','''#include <algorithm>
#include <cctype>
#include <charconv>''')

# --redis-timeout 0 rejected
edit('src/cli/serve_command.cpp','''  store_options.redis_timeout = *redis_timeout;''','''  if (redis_timeout->count() <= 0) {
    std::cerr << "idemctl serve: --redis-timeout: expected a duration > 0\\n";
    return kExitUsage;
  }
  store_options.redis_timeout = *redis_timeout;''')

# unknown subcommand
edit('src/cli/main.cpp','''  try {
    app.parse(argc, argv);''','''  if (argc > 1 && argv[1][0] != '-') {
    const std::string name = argv[1];
    const auto subs = app.get_subcommands({});
    const bool known = std::any_of(subs.begin(), subs.end(),
                                   [&](const CLI::App* s) { return s->get_name() == name; });
    if (!known) {
      std::cerr << "idemctl: unknown command '" << name << "' (see idemctl --help)\\n";
      return idem::cli::kExitUsage;
    }
  }
  try {
    app.parse(argc, argv);''')
edit('src/cli/main.cpp','''#include <CLI/CLI.hpp>''','''#include <CLI/CLI.hpp>
#include <algorithm>''')
print("ok6")
edit('src/cli/flag_parsing.hpp','''/// Prefixes an error''','''/// A CLI11 validator: an option given with an empty value is a usage error.
std::string reject_empty(const std::string& value);

/// Prefixes an error''')
edit('src/cli/flag_parsing.cpp','''Error flag_error(''','''std::string reject_empty(const std::string& value) {
  return value.empty() ? "expected a value, got an empty one" : "";
}

Error flag_error(''')
edit('src/cli/serve_command.cpp','''  cmd->add_option("--key-header", flags->key_header,
                  "Header carrying the key (default: the profile's, Idempotency-Key)");''','''  cmd->add_option("--key-header", flags->key_header,
                  "Header carrying the key (default: the profile's, Idempotency-Key)")
      ->check(reject_empty, "HEADER");''')
edit('src/cli/target_flags.cpp','''  cmd->add_option("--key-header", f.key_header, "Override: the header carrying the key");''','''  cmd->add_option("--key-header", f.key_header, "Override: the header carrying the key")
      ->check(reject_empty, "HEADER");''')
edit('src/cli/verify_command.cpp','''  for (const auto& file : f.scenarios) {
    auto more = verify::load_scenario_file(file);
    if (!more) return more.error();
    catalogue->insert(catalogue->end(), more->begin(), more->end());
  }''','''  for (const auto& file : f.scenarios) {
    auto more = verify::load_scenario_file(file);
    if (!more) return more.error();
    for (auto& s : *more) {
      const bool taken = std::any_of(catalogue->begin(), catalogue->end(),
                                     [&](const verify::Scenario& c) { return c.id == s.id; });
      if (taken) {
        return make_error(ErrorCode::InvalidArgument,
                          file + ": check id '" + s.id + "' is defined twice (see --list)");
      }
      catalogue->push_back(std::move(s));
    }
  }''')
edit('src/cli/verify_command.cpp','''    std::cout << "verifying the embedded reference server at " << embedded->base_url() << "\\n";''','''    std::cout << "verifying the embedded reference server at " << embedded->base_url()
              << std::endl;''')
print("ok6b")

s=open(R+'src/cli/target_flags.cpp').read()
if '#include "flag_parsing.hpp"' not in s:
    s=s.replace('#include "target_flags.hpp"\n','#include "target_flags.hpp"\n\n#include "flag_parsing.hpp"\n',1)
    open(R+'src/cli/target_flags.cpp','w').write(s)
print("ok6c")
