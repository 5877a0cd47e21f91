#include "idem/target/target_spec.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "idem/server/fault.hpp"
#include "json_text.hpp"
#include "target/json_field.hpp"

namespace idem {
namespace {

HeaderList read_headers(const JsonField& f) {
  if (!f.json().is_object()) f.fail("expected an object of header names to values");
  HeaderList out;
  for (const auto& [name, v] : f.json().items()) {
    out.emplace_back(name, JsonField(v, f.path() + "." + name).as_string());
  }
  return out;
}

std::string read_body(const JsonField& f) {
  if (f.json().is_string()) return f.as_string();
  if (f.json().is_object() || f.json().is_array()) return f.json().dump();
  f.fail("expected a string or a JSON object");
}

Trigger read_trigger(const JsonField& f, bool with_delay, Millis* delay) {
  f.expect_object(with_delay ? std::vector<std::string>{"headers", "body", "delay"}
                             : std::vector<std::string>{"headers", "body"});
  Trigger t;
  if (f.has("headers")) t.headers = read_headers(f.at("headers"));
  if (f.has("body")) t.body = read_body(f.at("body"));
  if (with_delay) {
    if (!f.has("delay")) f.fail("expected a field 'delay' (how long the slow handler takes)");
    *delay = f.at("delay").as_duration();
  }
  return t;
}

// "tls": {"cacert", "insecure", "cert", "key"}, what --cacert, --insecure, --cert and --key give.
// A relative file name is relative to the config file's directory; a file that cannot be read is
// named by its field, so the error is the config's line, not a TLS failure later.
TlsClientOptions read_tls(const JsonField& f, const std::filesystem::path& dir) {
  f.expect_object({"cacert", "insecure", "cert", "key"});
  const auto file = [&](const char* name) -> std::string {
    if (!f.has(name)) return "";
    const JsonField v = f.at(name);
    std::filesystem::path path = v.as_string();
    if (path.empty()) v.fail("expected the name of a PEM file");
    if (path.is_relative()) path = dir / path;
    std::ifstream in(path);
    if (!in || std::filesystem::is_directory(path)) {
      const std::string why = !in ? std::strerror(errno) : "a directory";
      v.fail("cannot read '" + path.string() + "' (" + why + ")");
    }
    return path.string();
  };
  TlsClientOptions tls;
  tls.ca_file = file("cacert");
  if (f.has("insecure")) tls.insecure = f.at("insecure").as_bool();
  tls.cert_file = file("cert");
  tls.key_file = file("key");
  if (!tls.key_file.empty() && tls.cert_file.empty()) {
    f.at("key").fail("give the client certificate in 'cert' too");
  }
  return tls;
}

// "executions": {"url", "pointer"} or {"resource_id"}: how executions are counted.
void read_executions(const JsonField& e, ExecutionCounting& out) {
  e.expect_object({"url", "pointer", "resource_id"});
  if (e.has("url")) {
    out.count = CountMode::ExecutionsUrl;
    out.url = e.at("url").as_string();
    if (out.url.find("{{key}}") == std::string::npos) {
      e.at("url").fail("expected a URL template containing {{key}}");
    }
    if (auto p = e.string_or("pointer")) out.pointer = *p;
  } else if (e.has("resource_id")) {
    out.count = CountMode::ResourceId;
    out.resource_id_pointer = e.at("resource_id").as_string();
  } else {
    e.fail("expected 'url' (with 'pointer') or 'resource_id'");
  }
}

Endpoint read_endpoint(const JsonField& f, const std::string& file) {
  f.expect_object({"method", "path", "body", "headers", "failure_trigger", "slow_trigger",
                   "crash_trigger", "alternate_path", "large_path", "executions"});
  Endpoint e;
  e.where = file + ": " + f.path();
  if (!f.has("path")) f.fail("expected a field 'path' (the endpoint's path)");
  e.path = f.at("path").as_string();
  if (!e.path.starts_with("/")) f.at("path").fail("expected a path starting with /");
  if (auto v = f.string_or("method")) e.method = *v;
  if (f.has("body")) e.body = read_body(f.at("body"));
  if (f.has("headers")) e.headers = read_headers(f.at("headers"));
  if (f.has("failure_trigger")) e.failure = read_trigger(f.at("failure_trigger"), false, nullptr);
  if (f.has("slow_trigger")) {
    Millis delay{0};
    e.slow = read_trigger(f.at("slow_trigger"), true, &delay);
    e.slow_delay = delay;
  }
  if (f.has("crash_trigger")) e.crash = read_trigger(f.at("crash_trigger"), false, nullptr);
  if (auto v = f.string_or("alternate_path")) e.alternate_path = *v;
  if (auto v = f.string_or("large_path")) e.large_path = *v;
  if (f.has("executions")) {
    ExecutionCounting counting;
    read_executions(f.at("executions"), counting);
    e.executions = counting;
  }
  return e;
}

void read_config(const JsonField& root, TargetSpec& t, const std::filesystem::path& dir,
                 const std::string& file) {
  root.expect_object({"targets", "method", "path", "body", "alternate_path", "large_path",
                      "headers", "scope_header", "principals", "failure_trigger", "slow_trigger",
                      "crash_trigger", "lock_ttl", "record_ttl", "executions", "tls",
                      "endpoints"});
  if (root.has("endpoints")) {
    const JsonField list = root.at("endpoints");
    if (!list.json().is_array() || list.json().empty()) {
      list.fail("expected an array of endpoints ({\"method\", \"path\", \"body\", ...})");
    }
    if (list.json().size() > kMaxConfigEndpoints) {
      list.fail("expected at most " + std::to_string(kMaxConfigEndpoints) + " endpoints");
    }
    for (const JsonField& e : list.items()) t.endpoints.push_back(read_endpoint(e, file));
  }
  if (root.has("targets")) t.base_urls = root.at("targets").as_string_list();
  for (const auto& url : t.base_urls) {
    if (!url.starts_with("http://") && !url.starts_with("https://")) {
      root.at("targets").fail("expected base URLs starting with http:// or https://");
    }
  }
  if (auto v = root.string_or("method")) t.method = *v;
  if (auto v = root.string_or("path")) t.path = *v;
  if (root.has("body")) t.body = read_body(root.at("body"));
  if (auto v = root.string_or("alternate_path")) t.alternate_path = *v;
  if (auto v = root.string_or("large_path")) t.large_path = *v;
  if (root.has("headers")) t.headers = read_headers(root.at("headers"));
  if (auto v = root.string_or("scope_header")) t.scope_header = *v;
  if (root.has("principals")) {
    t.principals = root.at("principals").as_string_list();
    if (t.principals.size() < 2) root.at("principals").fail("expected two or more values");
  }
  if (root.has("failure_trigger"))
    t.failure = read_trigger(root.at("failure_trigger"), false, nullptr);
  if (root.has("slow_trigger")) t.slow = read_trigger(root.at("slow_trigger"), true, &t.slow_delay);
  if (root.has("crash_trigger")) t.crash = read_trigger(root.at("crash_trigger"), false, nullptr);
  if (root.has("lock_ttl")) t.lock_ttl = root.at("lock_ttl").as_duration();
  if (root.has("record_ttl")) t.record_ttl = root.at("record_ttl").as_duration();
  if (root.has("tls")) t.tls = read_tls(root.at("tls"), dir);
  if (root.has("executions")) {
    // Fields the config leaves out keep the base's values (the pointer's default).
    ExecutionCounting counting{t.count, t.executions_url, t.executions_pointer,
                               t.resource_id_pointer};
    read_executions(root.at("executions"), counting);
    t.count = counting.count;
    t.executions_url = counting.url;
    t.executions_pointer = counting.pointer;
    t.resource_id_pointer = counting.resource_id_pointer;
  }
}

}  // namespace

TargetSpec reference_target(std::vector<std::string> base_urls, Millis lock_ttl,
                            Millis slow_delay) {
  TargetSpec t;
  t.base_urls = std::move(base_urls);
  t.headers = {{"Content-Type", "application/json"}};
  const std::string fault(kFaultHeader);
  t.failure = Trigger{{{fault, "status=503"}}, std::nullopt};
  t.slow = Trigger{{{fault, "delay=" + std::to_string(slow_delay.count()) + "ms"}}, std::nullopt};
  t.slow_delay = slow_delay;
  t.crash = Trigger{{{fault, "crash"}}, std::nullopt};
  t.lock_ttl = lock_ttl;
  t.large_path = "/payments?pad=3145728";  // 3 MiB
  // The reference fingerprint covers the path with its query, so this is another endpoint to it.
  t.alternate_path = "/payments?idemctl=alternate";
  t.principals = {"Bearer idemctl-verify-a", "Bearer idemctl-verify-b"};
  t.count = CountMode::ExecutionsUrl;
  t.executions_url = "/__idem/executions?key={{key}}";
  t.executions_pointer = "/executions";
  return t;
}

std::string endpoint_label(const TargetSpec& t) { return t.method + " " + t.path; }

std::vector<TargetSpec> expand_endpoints(const TargetSpec& base,
                                         const std::vector<Endpoint>& endpoints) {
  if (endpoints.empty()) return {base};
  std::vector<TargetSpec> out;
  for (const Endpoint& e : endpoints) {
    TargetSpec t = base;
    t.endpoints.clear();
    if (!e.method.empty()) t.method = e.method;
    if (!e.path.empty()) t.path = e.path;
    if (e.body) t.body = *e.body;
    for (const auto& header : e.headers) {
      std::erase_if(t.headers, [&](const auto& h) { return iequals(h.first, header.first); });
      t.headers.push_back(header);
    }
    if (e.failure) t.failure = e.failure;
    if (e.slow) t.slow = e.slow;
    if (e.slow_delay) t.slow_delay = *e.slow_delay;
    if (e.crash) t.crash = e.crash;
    if (e.executions) {
      t.count = e.executions->count;
      t.executions_url = e.executions->url;
      t.executions_pointer = e.executions->pointer;
      t.resource_id_pointer = e.executions->resource_id_pointer;
    }
    // The top-level large path answers for the top-level endpoint only: another endpoint's
    // body sent there says nothing about this one.
    const bool same_endpoint = t.method == base.method && t.path == base.path;
    t.large_path = e.large_path ? *e.large_path : same_endpoint ? base.large_path : "";
    t.alternate_path = e.alternate_path ? *e.alternate_path : "";
    out.push_back(std::move(t));
  }
  for (size_t i = 0; i < out.size(); ++i) {
    if (endpoints[i].alternate_path) continue;
    // The next endpoint (in a ring) with the same method and another path.
    for (size_t step = 1; step < out.size() && out[i].alternate_path.empty(); ++step) {
      const TargetSpec& other = out[(i + step) % out.size()];
      if (other.method == out[i].method && other.path != out[i].path) {
        out[i].alternate_path = other.path;
      }
    }
    const bool same_endpoint = out[i].method == base.method && out[i].path == base.path;
    if (out[i].alternate_path.empty() && same_endpoint) out[i].alternate_path = base.alternate_path;
  }
  return out;
}

Result<TargetSpec> parse_target_config(const std::string& text, const std::string& file,
                                       const TargetSpec& base) {
  auto parsed = parse_json_file_text(text, file);
  if (!parsed) return parsed.error();
  const nlohmann::json& json = *parsed;
  TargetSpec t = base;
  try {
    read_config(JsonField(json, "$"), t, std::filesystem::path(file).parent_path(), file);
  } catch (const JsonFieldError& e) {
    return make_error(ErrorCode::InvalidArgument, file + ": " + e.path() + ": " + e.what());
  }
  return t;
}

Result<TargetSpec> load_target_config(const std::string& file, const TargetSpec& base) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(ErrorCode::InvalidArgument, file + ": cannot be read");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_target_config(ss.str(), file, base);
}

}  // namespace idem
