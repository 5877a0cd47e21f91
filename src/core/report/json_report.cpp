// The machine-readable report; its format is documented in docs/report-format.md and versioned
// by "schema_version". Keys are written in a fixed order so that diffs of reports stay small.
#include <nlohmann/json.hpp>
#include <ostream>

#include "idem/report/report.hpp"
#include "report_detail.hpp"

namespace idem {
namespace {

using Json = nlohmann::ordered_json;

// Bump on any change that could break a reader; adding keys does not.
// 2: every check names its "endpoint"; "endpoints" lists them (several per run).
constexpr int kSchemaVersion = 2;
// Bodies are cut here so a multi-MiB response does not make a multi-MiB report.
constexpr size_t kJsonBodyBytes = 64u << 10;
constexpr size_t kJsonCurlBytes = 64u << 10;

Json headers_json(const HeaderList& headers) {
  Json out = Json::array();
  for (const auto& [name, value] : headers) {
    out.push_back({{"name", report::valid_utf8(name)}, {"value", report::valid_utf8(value)}});
  }
  return out;
}

/// Writes "body", "body_bytes" and "body_truncated" into `j`.
void put_body(Json& j, std::string_view body) {
  const size_t cut = report::utf8_prefix(body, kJsonBodyBytes);
  j["body"] = report::valid_utf8(body.substr(0, cut));
  j["body_bytes"] = body.size();
  j["body_truncated"] = cut < body.size();
}

Json exchange_json(const ExchangeRecord& ex) {
  Json request = {{"method", report::valid_utf8(ex.method)},
                  {"url", report::valid_utf8(ex.url)},
                  {"headers", headers_json(ex.request_headers)}};
  put_body(request, ex.request_body);
  Json out = {{"label", report::valid_utf8(ex.label)}, {"request", request}};
  if (ex.transport_error.empty()) {
    Json response = {{"status", ex.status}, {"headers", headers_json(ex.response_headers)}};
    put_body(response, ex.response_body);
    out["response"] = response;
    out["transport_error"] = nullptr;
  } else {
    out["response"] = nullptr;
    out["transport_error"] = report::valid_utf8(ex.transport_error);
  }
  out["curl"] = ex.curl.size() <= kJsonCurlBytes ? Json(report::valid_utf8(ex.curl)) : Json();
  return out;
}

Json check_json(const CheckResult& c) {
  Json exchanges = Json::array();
  for (const ExchangeRecord& ex : c.exchanges) exchanges.push_back(exchange_json(ex));
  return {{"id", report::valid_utf8(c.id)},
          {"title", report::valid_utf8(c.title)},
          {"level", to_string(c.level)},
          {"verdict", to_string(c.verdict)},
          {"reason", report::valid_utf8(c.reason)},
          {"expected", report::valid_utf8(c.expected)},
          {"duration_ms", c.duration.count()},
          {"endpoint", report::valid_utf8(c.endpoint)},
          {"exchanges", exchanges}};
}

}  // namespace

void write_json_report(const Report& report, std::ostream& out) {
  Json targets = Json::array();
  for (const std::string& t : report.targets) targets.push_back(report::valid_utf8(t));
  Json hints = Json::array();
  for (const std::string& h : report.hints) hints.push_back(report::valid_utf8(h));
  Json checks = Json::array();
  for (const CheckResult& c : report.checks) checks.push_back(check_json(c));
  Json endpoints = Json::array();
  for (const std::string& e : report.endpoints) {
    int failed = 0;
    const std::vector<const CheckResult*> of = report.checks_of(e);
    for (const CheckResult* c : of) {
      failed += c->verdict == Verdict::Fail || c->verdict == Verdict::Error ? 1 : 0;
    }
    endpoints.push_back({{"endpoint", report::valid_utf8(e)},
                         {"passed", failed == 0},
                         {"total", of.size()},
                         {"failed", failed}});
  }
  const Json j = {
      {"schema_version", kSchemaVersion},
      {"tool",
       {{"name", "idemctl"},
        {"version", report::valid_utf8(report.tool_version)},
        {"revision", report::valid_utf8(report.tool_revision)}}},
      {"targets", targets},
      {"profile", report::valid_utf8(report.profile)},
      {"passed", report.passed()},
      {"duration_ms", report.duration.count()},
      {"summary",
       {{"total", report.checks.size()},
        {"passed", report.count(Verdict::Pass)},
        {"failed", report.count(Verdict::Fail)},
        {"errors", report.count(Verdict::Error)},
        {"warnings", report.count(Verdict::Warn)},
        {"skipped", report.count(Verdict::Skip)}}},
      {"hints", hints},
      {"endpoints", endpoints},
      {"checks", checks}};
  // Every string was made valid UTF-8 above; `replace` is the belt to those braces.
  out << j.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
}

}  // namespace idem
