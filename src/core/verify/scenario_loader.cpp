#include "idem/verify/scenario_loader.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "idem/verify/profile.hpp"
#include "json_text.hpp"
#include "target/json_field.hpp"

namespace idem::verify {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kRequires = {"failure-trigger", "slow-trigger",   "crash-trigger",
                                            "lock-ttl",        "record-ttl",     "two-targets",
                                            "large-path",      "alternate-path", "alternate-body",
                                            "two-principals",  "executions-url"};
const std::vector<std::string> kRequestFields = {"key",  "raw_key_lines", "key_header", "body",
                                                 "path", "method",        "principal",  "trigger",
                                                 "via",  "abort_after",   "target"};

std::vector<Condition> read_conditions(const JsonField& f) {
  if (!f.json().is_object()) f.fail("expected an object of profile axes to values");
  std::vector<Condition> out;
  for (const auto& [axis, v] : f.json().items()) {
    const JsonField value(v, f.path() + "." + axis);
    const auto& axes = profile_axes();
    if (std::find(axes.begin(), axes.end(), axis) == axes.end()) {
      value.fail("unknown profile axis");
    }
    out.push_back({axis, value.as_string_list()});
  }
  return out;
}

void check_status_tokens(const JsonField& f, const std::vector<std::string>& tokens) {
  static const std::set<std::string> kSymbols = {"$in_flight", "$mismatch", "$missing_key",
                                                 "$malformed"};
  for (const auto& t : tokens) {
    const bool cls = t.size() == 3 && t[0] >= '1' && t[0] <= '5' && t.substr(1) == "xx";
    const bool num = t.size() == 3 && std::all_of(t.begin(), t.end(), ::isdigit);
    if (!cls && !num && !kSymbols.count(t)) {
      f.fail(
          "expected statuses like \"201\", \"2xx\" or one of $in_flight, $mismatch, "
          "$missing_key, $malformed; got \"" +
          t + "\"");
    }
  }
}

RequestSpec read_request(const JsonField& f, const std::vector<std::string>& extra,
                         const std::set<std::string>& earlier_steps) {
  std::vector<std::string> allowed = kRequestFields;
  allowed.insert(allowed.end(), extra.begin(), extra.end());
  f.expect_object(allowed);
  RequestSpec r;
  if (f.has("key") && !f.at("key").json().is_null()) r.key = f.at("key").as_string();
  if (f.has("raw_key_lines")) r.raw_key_lines = f.at("raw_key_lines").as_string_list();
  if (auto v = f.string_or("key_header")) {
    if (*v != "profile" && *v != "alternate")
      f.at("key_header").fail("expected profile or alternate");
    r.key_header = *v;
  }
  if (auto v = f.string_or("body")) {
    if (*v != "default" && *v != "alternate") f.at("body").fail("expected default or alternate");
    r.body = *v;
  }
  if (auto v = f.string_or("path")) {
    const bool location = v->starts_with("location:");
    if (*v != "default" && *v != "alternate" && *v != "large" && !location) {
      f.at("path").fail("expected default, alternate, large or location:STEP");
    }
    if (location && !earlier_steps.count(v->substr(9))) {
      f.at("path").fail("expected location: of an earlier step id");
    }
    r.path = *v;
  }
  if (auto v = f.string_or("method")) r.method = *v;
  if (f.has("principal")) r.principal = static_cast<int>(f.at("principal").as_int(0, 1));
  if (auto v = f.string_or("trigger")) {
    if (*v != "failure" && *v != "slow" && *v != "crash") {
      f.at("trigger").fail("expected failure, slow or crash");
    }
    r.trigger = *v;
  }
  if (auto v = f.string_or("via")) {
    if (*v != "drop-proxy") f.at("via").fail("expected drop-proxy");
    r.via_drop_proxy = true;
  }
  if (f.has("abort_after")) r.abort_after = f.at("abort_after").as_duration();
  if (f.has("target")) r.target = static_cast<int>(f.at("target").as_int(0, 63));
  return r;
}

std::string step_ref(const JsonField& f, const std::set<std::string>& earlier, bool self_ok,
                     const std::string& self) {
  const std::string id = f.as_string();
  if (!earlier.count(id) && !(self_ok && id == self)) f.fail("expected the id of an earlier step");
  return id;
}

Expectation read_expectation(const JsonField& f, const std::set<std::string>& earlier,
                             const std::string& self) {
  f.expect_object({"when",
                   "severity",
                   "replay_of",
                   "premise",
                   "status",
                   "not_status",
                   "answered",
                   "status_equals",
                   "body_equals",
                   "identical_to",
                   "identical_to_any_2xx_of",
                   "not_replay_of",
                   "body_differs",
                   "executions",
                   "headers_present",
                   "headers_absent",
                   "header_values",
                   "headers_equal",
                   "problem_json",
                   "where_status",
                   "if_none",
                   "max_elapsed_slow_factor"});
  Expectation e;
  if (f.has("when")) e.when = read_conditions(f.at("when"));
  if (auto v = f.string_or("severity")) {
    if (*v != "fail" && *v != "warn") f.at("severity").fail("expected fail or warn");
    e.warn = *v == "warn";
  }
  if (f.has("replay_of")) e.replay_of = step_ref(f.at("replay_of"), earlier, false, self);
  if (f.has("premise")) {
    e.premise = f.at("premise").as_string();
    if (e.premise.empty()) f.at("premise").fail("expected what the expectation establishes");
  }
  if (f.has("status")) {
    e.status = f.at("status").as_string_list();
    check_status_tokens(f.at("status"), e.status);
  }
  if (f.has("not_status")) {
    e.not_status = f.at("not_status").as_string_list();
    check_status_tokens(f.at("not_status"), e.not_status);
  }
  if (f.has("answered")) e.answered = f.at("answered").as_bool();
  if (f.has("status_equals"))
    e.status_equals = step_ref(f.at("status_equals"), earlier, false, self);
  if (f.has("body_equals")) e.body_equals = step_ref(f.at("body_equals"), earlier, false, self);
  if (f.has("identical_to")) e.identical_to = step_ref(f.at("identical_to"), earlier, false, self);
  if (f.has("identical_to_any_2xx_of")) {
    e.identical_to_any_2xx_of = step_ref(f.at("identical_to_any_2xx_of"), earlier, false, self);
  }
  if (f.has("not_replay_of"))
    e.not_replay_of = step_ref(f.at("not_replay_of"), earlier, false, self);
  if (f.has("body_differs")) e.body_differs = step_ref(f.at("body_differs"), earlier, false, self);
  if (f.has("executions")) e.executions = f.at("executions").as_int(0, 1'000'000);
  if (f.has("headers_present")) e.headers_present = f.at("headers_present").as_string_list();
  if (f.has("headers_absent")) e.headers_absent = f.at("headers_absent").as_string_list();
  if (f.has("header_values")) {
    const JsonField hv = f.at("header_values");
    if (!hv.json().is_object()) hv.fail("expected an object of header names to values");
    for (const auto& [name, v] : hv.json().items()) {
      e.header_values.emplace_back(name, JsonField(v, hv.path() + "." + name).as_string());
    }
  }
  if (f.has("headers_equal")) {
    const JsonField he = f.at("headers_equal");
    he.expect_object({"step", "names"});
    e.headers_equal_step = step_ref(he.at("step"), earlier, false, self);
    e.headers_equal_names = he.at("names").as_string_list();
  }
  if (f.has("problem_json")) e.problem_json = f.at("problem_json").as_bool();
  if (f.has("where_status")) {
    e.where_status = f.at("where_status").as_string_list();
    check_status_tokens(f.at("where_status"), e.where_status);
  }
  if (auto v = f.string_or("if_none")) {
    if (*v != "skip" && *v != "fail") f.at("if_none").fail("expected skip or fail");
    e.skip_if_none = *v == "skip";
  }
  if (f.has("max_elapsed_slow_factor")) {
    const JsonField m = f.at("max_elapsed_slow_factor");
    if (!m.json().is_number() || m.json().get<double>() <= 0) m.fail("expected a positive number");
    e.max_elapsed_slow_factor = m.json().get<double>();
  }
  return e;
}

Step read_step(const JsonField& f, std::set<std::string>& earlier, size_t index) {
  f.expect_object({"id", "send", "burst", "poll", "wait", "expect", "when"});
  Step s;
  s.id = f.has("id") ? f.at("id").as_string() : "step" + std::to_string(index + 1);
  if (earlier.count(s.id)) f.at("id").fail("expected a step id not used before in this check");
  if (f.has("when")) s.when = read_conditions(f.at("when"));
  int kinds = 0;
  if (f.has("send")) {
    ++kinds;
    s.kind = StepKind::Send;
    s.request = read_request(f.at("send"), {}, earlier);
  }
  if (f.has("burst")) {
    ++kinds;
    s.kind = StepKind::Burst;
    const JsonField b = f.at("burst");
    s.request = read_request(b, {"n", "distinct_keys", "spread"}, earlier);
    if (b.has("n")) s.burst_size = static_cast<int>(b.at("n").as_int(2, 256));
    if (b.has("distinct_keys")) s.distinct_keys = b.at("distinct_keys").as_bool();
    if (b.has("spread")) s.spread = b.at("spread").as_bool();
  }
  if (f.has("poll")) {
    ++kinds;
    s.kind = StepKind::Poll;
    const JsonField p = f.at("poll");
    s.request = read_request(p, {"while_status", "for"}, earlier);
    s.poll_while_status = p.at("while_status").as_string_list();
    check_status_tokens(p.at("while_status"), s.poll_while_status);
    s.wait = p.at("for").as_string();
  }
  if (f.has("wait")) {
    ++kinds;
    s.kind = StepKind::Wait;
    s.wait = f.at("wait").as_string();
  }
  if (kinds != 1) f.fail("expected exactly one of send, burst, poll or wait");
  if (s.kind == StepKind::Wait || s.kind == StepKind::Poll) {
    const JsonField w = s.kind == StepKind::Wait ? f.at("wait") : f.at("poll").at("for");
    if (s.wait != "lock_ttl" && s.wait != "record_ttl") {
      s.wait_duration = w.as_duration();
    }
  }
  if (f.has("expect")) {
    const JsonField e = f.at("expect");
    if (e.json().is_array()) {
      for (const JsonField& item : e.items())
        s.expect.push_back(read_expectation(item, earlier, s.id));
    } else {
      s.expect.push_back(read_expectation(e, earlier, s.id));
    }
  }
  earlier.insert(s.id);
  return s;
}

CheckLevel read_level(const JsonField& f) {
  const std::string v = f.as_string();
  if (v == "MUST") return CheckLevel::Must;
  if (v == "SHOULD") return CheckLevel::Should;
  if (v == "CONFIG") return CheckLevel::Config;
  if (v == "INFO") return CheckLevel::Info;
  f.fail("expected MUST, SHOULD, CONFIG or INFO");
}

Scenario read_scenario(const JsonField& f, const std::string& file) {
  f.expect_object(
      {"id", "title", "level", "rounds", "opt_in", "requires", "skip_when", "builtin", "steps"});
  Scenario s;
  s.file = file;
  s.id = f.at("id").as_string();
  if (s.id.empty()) f.at("id").fail("expected a non-empty id");
  s.title = f.at("title").as_string();
  s.level = read_level(f.at("level"));
  if (f.has("rounds")) {
    const JsonField r = f.at("rounds");
    if (r.json().is_string()) {
      if (r.as_string() != "option") r.fail("expected a count or \"option\"");
      s.rounds_from_option = true;
    } else {
      s.rounds = static_cast<int>(r.as_int(1, 1000));
    }
  }
  if (f.has("opt_in")) s.opt_in = f.at("opt_in").as_bool();
  if (f.has("requires")) {
    s.prerequisites = f.at("requires").as_string_list();
    for (const auto& r : s.prerequisites) {
      if (std::find(kRequires.begin(), kRequires.end(), r) == kRequires.end()) {
        f.at("requires").fail("unknown prerequisite \"" + r + "\"");
      }
    }
  }
  if (f.has("skip_when")) {
    for (const JsonField& rule : f.at("skip_when").items()) {
      rule.expect_object({"when", "reason"});
      s.skip_when.push_back({read_conditions(rule.at("when")), rule.at("reason").as_string()});
    }
  }
  if (auto b = f.string_or("builtin")) {
    if (*b != "header-name") f.at("builtin").fail("expected header-name");
    s.builtin = *b;
  }
  std::set<std::string> earlier;
  if (s.builtin.empty()) {
    const auto steps = f.at("steps").items();
    if (steps.empty()) f.at("steps").fail("expected at least one step");
    for (size_t i = 0; i < steps.size(); ++i) s.steps.push_back(read_step(steps[i], earlier, i));
  }
  return s;
}

Result<std::string> read_file(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(ErrorCode::InvalidArgument, file + ": cannot be read");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Result<std::vector<Scenario>> parse_scenarios(const std::string& text, const std::string& file) {
  auto parsed = parse_json_file_text(text, file);
  if (!parsed) return parsed.error();
  const nlohmann::json& json = *parsed;
  std::vector<Scenario> out;
  try {
    const JsonField root(json, "$");
    root.expect_object({"checks", "$comment"});
    for (const JsonField& check : root.at("checks").items()) {
      out.push_back(read_scenario(check, file));
    }
  } catch (const JsonFieldError& e) {
    return make_error(ErrorCode::InvalidArgument, file + ": " + e.path() + ": " + e.what());
  }
  return out;
}

Result<std::vector<Scenario>> load_scenario_file(const std::string& file) {
  auto text = read_file(file);
  if (!text) return text.error();
  return parse_scenarios(*text, file);
}

Result<std::vector<Scenario>> load_scenario_dir(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path().string());
  }
  if (ec) return make_error(ErrorCode::InvalidArgument, dir + ": cannot be listed");
  std::sort(files.begin(), files.end());
  std::vector<Scenario> out;
  std::set<std::string> ids;
  for (const auto& file : files) {
    auto loaded = load_scenario_file(file);
    if (!loaded) return loaded.error();
    for (auto& s : *loaded) {
      if (!ids.insert(s.id).second) {
        return make_error(ErrorCode::InvalidArgument,
                          file + ": check id '" + s.id + "' is defined twice in " + dir);
      }
      out.push_back(std::move(s));
    }
  }
  return out;
}

Result<std::string> find_scenario_dir() {
  std::vector<std::string> candidates;
  std::error_code ec;
  if (const char* env = std::getenv("IDEMCTL_SCENARIOS"); env && *env) {
    // Set on purpose: a wrong value is an error, not a reason to pick another catalogue.
    if (!fs::is_directory(env, ec)) {
      return make_error(ErrorCode::InvalidArgument,
                        std::string("IDEMCTL_SCENARIOS: '") + env + "' is not a directory");
    }
    return std::string(env);
  }
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) candidates.push_back((exe.parent_path() / "../share/idemctl/scenarios").string());
  // A build-tree binary reads the source tree's catalogue, never an older installed one.
  candidates.emplace_back(IDEM_SCENARIO_SOURCE_DIR);
  candidates.emplace_back(IDEM_SCENARIO_INSTALL_DIR);
  for (const auto& dir : candidates) {
    if (fs::is_directory(dir, ec)) return fs::path(dir).lexically_normal().string();
  }
  std::string tried;
  for (const auto& dir : candidates) tried += (tried.empty() ? "" : ", ") + dir;
  return make_error(ErrorCode::Unavailable,
                    "no scenario directory found (tried " + tried + "); set IDEMCTL_SCENARIOS");
}

}  // namespace idem::verify
