#include "stress/sample_stress_report.hpp"

#include <string>

namespace idem::test {

StressReport sample_stress_report() {
  StressReport r;
  r.targets = {"http://127.0.0.1:8080"};
  r.model = "open";
  r.threads = 2;
  r.connections = 32;
  r.rate = 500;
  r.stages = {"4s:500", "8s:1500"};
  r.pattern = "retry";
  r.dups = 3;
  r.profile = "ietf";
  r.count_mode = "executions-url";
  r.elapsed_seconds = 12.0;
  for (int s = 0; s < 12; ++s) {
    SecondSample x;
    const auto base = static_cast<uint64_t>(500 + 100 * s);
    x.status_classes[static_cast<size_t>(StatusClass::Success)] = base;
    x.status_classes[static_cast<size_t>(StatusClass::Redirect)] = s % 3 == 0 ? 20 : 0;
    x.status_classes[static_cast<size_t>(StatusClass::ClientError)] = 40 + static_cast<uint64_t>(s);
    x.status_classes[static_cast<size_t>(StatusClass::ServerError)] = s == 7 ? 150 : 5;
    x.status_classes[static_cast<size_t>(StatusClass::TransportError)] = s >= 9 ? 30 : 0;
    for (size_t c = 0; c < 4; ++c) x.answered += x.status_classes[c];
    x.errors = x.status_classes[static_cast<size_t>(StatusClass::TransportError)];
    x.sent = x.answered + x.errors;
    x.latency_p50_us = 800 + 50 * s;
    x.latency_p90_us = 2'000 + 100 * s;
    x.latency_p99_us = s == 7 ? 45'000 : 6'000 + 300 * s;
    x.latency_max_us = s == 7 ? 120'000 : 15'000 + 1'000 * s;
    x.latency_sum_us = static_cast<double>(x.answered) * 1'000.0;
    x.violations = s == 7 ? 2 : 0;
    r.sent += x.sent;
    r.answered += x.answered;
    r.seconds.push_back(x);
  }
  r.keys_started = r.sent / 3;
  r.statuses = {{201, 9000}, {302, 80}, {409, 600}, {422, 100}, {500, 205}};
  r.outcomes.executed = 3000;
  r.outcomes.replayed = 6000;
  r.outcomes.conflict = 600;
  r.outcomes.mismatch = 100;
  r.outcomes.server_error = 5;
  r.outcomes.failed_injected = 200;
  r.transport_errors[2] = 90;  // timeout
  for (int i = 0; i < 1000; ++i) {
    const int64_t v = 500 + (i * 37) % 5000;
    r.latency.record(v);
    r.corrected_latency.record(v + 200);
    r.latency_by_kind[static_cast<size_t>(i % 3 == 0 ? RequestKind::First : RequestKind::Duplicate)]
        .record(v);
  }
  r.latency_by_kind[static_cast<size_t>(RequestKind::Failure)].record(120'000);
  for (int i = 0; i < kInvariants; ++i) {
    r.invariants[static_cast<size_t>(i)] = {true, "", 9000};
  }
  r.invariants[static_cast<size_t>(Invariant::KeyRequired)] = {
      false, "no request without a key was sent (--mix missing-key=...)", 0};
  Violation& v = r.violations[static_cast<size_t>(Invariant::ReplayIdentical)];
  v.count = 2;
  ViolationExample e;
  e.key = "key-<b>7</b>";
  e.kind = "duplicate";
  e.detail = "replay differs from the first answer: body <hash> mismatch";
  e.request = "POST http://127.0.0.1:8080/orders\nIdempotency-Key: key-<b>7</b>\n\n{\"a\":1}";
  e.response = std::string("HTTP/1.1 200 OK\r\nX-Evil: \"><script>alert(3)</script>\r\n\r\n") +
               kHostileBody;
  e.curl = "curl -X POST -H 'Idempotency-Key: key-<b>7</b>' --data '{\"a\":1}' "
           "http://127.0.0.1:8080/orders";
  e.at_seconds = 7.25;
  v.examples.push_back(e);
  r.warnings = {"3 scheduled sends found every connection busy <all 32>"};
  r.thresholds = {{"p99<50ms", true, "p99 = 5.12ms"}, {"errors<0.1%", false, "errors = 0.95%"}};
  r.executions_sampled = {true, 2400, 3, 0, -1};
  return r;
}

}  // namespace idem::test
