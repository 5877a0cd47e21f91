#include "idem/stress/stress_report.hpp"

#include <algorithm>

#include "idem/client/http_client.hpp"

namespace idem {

std::string_view to_string(RequestKind kind) {
  switch (kind) {
    case RequestKind::First:
      return "first";
    case RequestKind::Duplicate:
      return "duplicate";
    case RequestKind::Retry:
      return "retry";
    case RequestKind::Mismatch:
      return "mismatch";
    case RequestKind::MissingKey:
      return "missing-key";
    case RequestKind::InvalidKey:
      return "invalid-key";
    case RequestKind::Failure:
      return "failure";
    case RequestKind::LostResponse:
      return "lost-response";
  }
  return "first";
}

std::string_view to_string(RequestOutcome outcome) {
  switch (outcome) {
    case RequestOutcome::Executed:
      return "executed";
    case RequestOutcome::Replayed:
      return "replayed";
    case RequestOutcome::Conflict:
      return "conflict";
    case RequestOutcome::Mismatch:
      return "mismatch";
    case RequestOutcome::Rejected:
      return "rejected";
    case RequestOutcome::ServerError:
      return "server-error";
    case RequestOutcome::FailedInjected:
      return "failed-injected";
    case RequestOutcome::LostInjected:
      return "lost-injected";
    case RequestOutcome::TransportError:
      return "transport-error";
    case RequestOutcome::Unfinished:
      return "unfinished";
  }
  return "rejected";
}

void add_up_sparse(SparseCounts& counts) {
  std::sort(counts.begin(), counts.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  size_t out = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (out > 0 && counts[out - 1].first == counts[i].first) {
      counts[out - 1].second += counts[i].second;
    } else {
      counts[out++] = counts[i];
    }
  }
  counts.resize(out);
}

std::string_view to_string(Invariant invariant) {
  switch (invariant) {
    case Invariant::ExactlyOnce:
      return "exactly-once";
    case Invariant::ReplayIdentical:
      return "replay-identical";
    case Invariant::ConflictOnlyInFlight:
      return "conflict-only-in-flight";
    case Invariant::KeyRequired:
      return "key-required";
    case Invariant::MismatchRefused:
      return "mismatch-refused";
    case Invariant::NoUnexpected5xx:
      return "no-unexpected-5xx";
  }
  return "exactly-once";
}

std::string_view to_string(StatusClass c) {
  switch (c) {
    case StatusClass::Success:
      return "2xx";
    case StatusClass::Redirect:
      return "3xx";
    case StatusClass::ClientError:
      return "4xx";
    case StatusClass::ServerError:
      return "5xx";
    case StatusClass::TransportError:
      return "transport";
    case StatusClass::Other:
      return "other";
  }
  return "other";
}

StatusClass status_class(int status) {
  if (status >= 200 && status < 300) return StatusClass::Success;
  if (status >= 300 && status < 400) return StatusClass::Redirect;
  if (status >= 400 && status < 500) return StatusClass::ClientError;
  if (status >= 500 && status < 600) return StatusClass::ServerError;
  return StatusClass::Other;
}

uint64_t StressReport::transport_error_total() const {
  uint64_t n = 0;
  for (const uint64_t e : transport_errors) n += e;
  return n;
}

uint64_t StressReport::violation_total() const {
  uint64_t n = 0;
  for (const auto& v : violations) n += v.count;
  return n;
}

double StressReport::error_ratio() const {
  if (sent == 0) return 0;
  const uint64_t lost = outcomes.lost_injected > transport_error_total()
                            ? transport_error_total()
                            : outcomes.lost_injected;
  const uint64_t errors = transport_error_total() - lost + outcomes.server_error;
  return static_cast<double>(errors) / static_cast<double>(sent);
}

bool StressReport::passed() const {
  if (violation_total() > 0) return false;
  for (const auto& t : thresholds) {
    if (!t.passed) return false;
  }
  return true;
}

void StressOutcomes::add(const StressOutcomes& o) {
  executed += o.executed;
  replayed += o.replayed;
  conflict += o.conflict;
  mismatch += o.mismatch;
  rejected += o.rejected;
  server_error += o.server_error;
  failed_injected += o.failed_injected;
  lost_injected += o.lost_injected;
}

void SecondSample::add(const SecondSample& o) {
  sent += o.sent;
  answered += o.answered;
  errors += o.errors;
  violations += o.violations;
  latency_max_us = std::max(latency_max_us, o.latency_max_us);
  latency_sum_us += o.latency_sum_us;
  for (size_t c = 0; c < status_classes.size(); ++c) status_classes[c] += o.status_classes[c];
}

}  // namespace idem
