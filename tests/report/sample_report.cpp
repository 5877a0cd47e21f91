#include "report/sample_report.hpp"

namespace idem::test {

std::string all_bytes() {
  std::string s(256, '\0');
  for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>(i);
  return s;
}

Report sample_report() {
  Report r;
  r.tool_version = "0.1.0";
  r.tool_revision = "1a2b3c4d5e6f";
  r.targets = {"http://127.0.0.1:8080"};
  r.profile = "default";
  r.duration = std::chrono::milliseconds(4213);
  r.hints = {"the target honours X-Idempotency-Key: use --key-header X-Idempotency-Key"};

  CheckResult pass{"first-executes",
                   "A new key executes once",
                   CheckLevel::Must,
                   Verdict::Pass,
                   "",
                   "",
                   {},
                   std::chrono::milliseconds(12),
                   "POST /payments"};

  ExchangeRecord first;
  first.label = "first";
  first.method = "POST";
  first.url = "http://127.0.0.1:8080/payments";
  first.request_headers = {{"Idempotency-Key", "9f1c6e1e-4a4b-4c4f-8f2a-1b2c3d4e5f60"},
                           {"Content-Type", "application/json"}};
  first.request_body = R"({"amount":1000,"currency":"EUR"})";
  first.status = 201;
  first.response_headers = {{"Content-Type", "application/json"}, {"Location", "/payments/p_1"}};
  first.response_body = R"({"id":"p_1","amount":1000,"currency":"EUR","note":"<&>\"'"})";
  first.curl =
      "curl -sS -i 'http://127.0.0.1:8080/payments' -H 'Idempotency-Key: "
      "9f1c6e1e-4a4b-4c4f-8f2a-1b2c3d4e5f60' -H 'Content-Type: application/json' "
      "--data-binary '{\"amount\":1000,\"currency\":\"EUR\"}'";
  ExchangeRecord replay = first;
  replay.label = "replay";
  replay.status = 200;
  replay.response_headers = {{"Content-Type", "application/json"},
                             {"X-Ctl", std::string("a\x01z")}};
  replay.response_body = std::string(700, 'x') + "\xff\xfe tail";
  ExchangeRecord lost = first;
  lost.label = "retry after drop";
  lost.status = 0;
  lost.response_headers = {};
  lost.response_body = "";
  lost.transport_error = "closed: Empty reply from server";
  CheckResult fail{"replay-identical",
                   "Same key and body replay the first answer",
                   CheckLevel::Must,
                   Verdict::Fail,
                   "replay status 200 differs from 201",
                   "status 201, byte-identical body, no new execution",
                   {first, replay, lost},
                   std::chrono::milliseconds(31),
                   "POST /payments"};

  CheckResult warn{"replay-headers",
                   "Replays keep Content-Type and Location",
                   CheckLevel::Config,
                   Verdict::Warn,
                   "Location was not replayed",
                   "",
                   {},
                   std::chrono::milliseconds(7),
                   "POST /payments"};
  CheckResult skip{"crash-releases-key",
                   "A crashed holder does not block the key for ever",
                   CheckLevel::Should,
                   Verdict::Skip,
                   "no failure trigger configured",
                   "",
                   {},
                   std::chrono::milliseconds(0),
                   "POST /payments"};
  CheckResult info{"header-name",
                   "Target honours Idempotency-Key",
                   CheckLevel::Info,
                   Verdict::Pass,
                   "",
                   "",
                   {},
                   std::chrono::milliseconds(3),
                   "POST /payments"};
  r.checks = {pass, fail, warn, skip, info};
  r.endpoints = {"POST /payments"};
  return r;
}

}  // namespace idem::test
