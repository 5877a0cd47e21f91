#include "idem/server/metrics.hpp"

#include <sstream>

namespace idem {
namespace {

constexpr Outcome kAllOutcomes[] = {Outcome::Passed,   Outcome::Executed, Outcome::Replayed,
                                    Outcome::Conflict, Outcome::Mismatch, Outcome::Rejected,
                                    Outcome::StoreError, Outcome::StoreFull};

}  // namespace

void ServerMetrics::record(Outcome outcome, std::chrono::microseconds latency) {
  ++by_outcome_[static_cast<size_t>(outcome)];
  const double seconds = static_cast<double>(latency.count()) / 1e6;
  size_t bucket = 0;
  while (bucket < kBucketsSeconds.size() && seconds > kBucketsSeconds[bucket]) ++bucket;
  ++buckets_[bucket];
  latency_sum_us_ += latency.count();
}

long long ServerMetrics::requests(Outcome outcome) const {
  return by_outcome_[static_cast<size_t>(outcome)].load();
}

void ServerMetrics::record_edge_refusal(int status) {
  size_t slot = 0;
  while (slot < kEdgeStatuses.size() && kEdgeStatuses[slot] != status) ++slot;
  ++edge_refusals_[slot];
}

std::string ServerMetrics::render_prometheus(long long executions_total) const {
  std::ostringstream out;
  out << "# HELP idem_requests_total Requests by idempotency outcome.\n"
      << "# TYPE idem_requests_total counter\n";
  for (Outcome o : kAllOutcomes) {
    out << "idem_requests_total{outcome=\"" << to_string(o) << "\"} " << requests(o) << "\n";
  }
  out << "# HELP idem_handler_executions_total Times the application handler ran.\n"
      << "# TYPE idem_handler_executions_total counter\n"
      << "idem_handler_executions_total " << executions_total << "\n"
      << "# HELP idem_store_write_failures_total Responses sent but not stored.\n"
      << "# TYPE idem_store_write_failures_total counter\n"
      << "idem_store_write_failures_total " << store_write_failures() << "\n"
      << "# HELP idem_edge_refusals_total Requests and connections the HTTP edge refused "
         "before the guard, by the status it answered.\n"
      << "# TYPE idem_edge_refusals_total counter\n";
  for (size_t i = 0; i < kEdgeStatuses.size(); ++i) {
    out << "idem_edge_refusals_total{status=\"" << kEdgeStatuses[i] << "\"} "
        << edge_refusals_[i].load() << "\n";
  }
  out << "idem_edge_refusals_total{status=\"other\"} " << edge_refusals_.back().load() << "\n"
      << "# HELP idem_requests_in_flight Requests started and not yet answered.\n"
      << "# TYPE idem_requests_in_flight gauge\n"
      << "idem_requests_in_flight " << in_flight() << "\n"
      << "# HELP idem_request_duration_seconds Request latency.\n"
      << "# TYPE idem_request_duration_seconds histogram\n";
  long long cumulative = 0;
  for (size_t i = 0; i < kBucketsSeconds.size(); ++i) {
    cumulative += buckets_[i].load();
    out << "idem_request_duration_seconds_bucket{le=\"" << kBucketsSeconds[i] << "\"} "
        << cumulative << "\n";
  }
  cumulative += buckets_.back().load();
  out << "idem_request_duration_seconds_bucket{le=\"+Inf\"} " << cumulative << "\n"
      << "idem_request_duration_seconds_sum "
      << static_cast<double>(latency_sum_us_.load()) / 1e6 << "\n"
      << "idem_request_duration_seconds_count " << cumulative << "\n";
  return out.str();
}

}  // namespace idem
