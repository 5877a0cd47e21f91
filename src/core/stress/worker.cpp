#include "worker.hpp"

#include <time.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "client/load_connection.hpp"  // fnv1a
#include "idem/target/execution_count.hpp"
#include "target/json_member.hpp"

namespace idem::stress {
namespace {

// curl_multi_poll wakes on socket activity and curl's timers; this bounds how late the loop
// notices the clock (stop flag, -d, delayed sends).
constexpr int kPollMillis = 10;
// After the load stops, answers still in flight get this long (or the request timeout, if
// shorter) before they are counted as unfinished.
constexpr Millis kDrainLimit{2000};

bool later(const auto& a, const auto& b) { return a.eligible_us > b.eligible_us; }

int64_t thread_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

/// The outcome counter that judging an answer moved (exactly one does for an answer).
RequestOutcome moved_outcome(const StressOutcomes& before, const StressOutcomes& after) {
  if (after.executed != before.executed) return RequestOutcome::Executed;
  if (after.replayed != before.replayed) return RequestOutcome::Replayed;
  if (after.conflict != before.conflict) return RequestOutcome::Conflict;
  if (after.mismatch != before.mismatch) return RequestOutcome::Mismatch;
  if (after.server_error != before.server_error) return RequestOutcome::ServerError;
  if (after.failed_injected != before.failed_injected) return RequestOutcome::FailedInjected;
  if (after.lost_injected != before.lost_injected) return RequestOutcome::LostInjected;
  return RequestOutcome::Rejected;
}

std::string describe_request(const ClientRequest& r) {
  std::ostringstream out;
  out << r.method << " " << r.url << "\n";
  for (const auto& [name, value] : r.headers) out << name << ": " << value << "\n";
  if (!r.body.empty()) out << "\n" << r.body;
  return out.str();
}

}  // namespace

struct Worker::Slot {
  int index = 0;  ///< the LoadLoop connection
  Pending pending;
  int64_t sent_us = 0;
  const std::string* url = nullptr;
  std::array<const std::string*, LoadLoop::kMaxHeaderLines> lines{};
};

Worker::Worker(const RequestPlan& plan, const StressOptions& options, const TargetSpec& target,
               WorkerShare share, const std::atomic<bool>& stop, LiveCounters& live)
    : plan_(plan),
      options_(options),
      target_(target),
      share_(share),
      rules_(make_rules(options.profile, target.count)),
      stop_(stop),
      live_(live),
      rng_(std::random_device{}()) {
  ClientRequest common;
  common.method = plan.method;
  common.url = plan.urls.front();
  common.timeout = options.timeout;
  common.connect_timeout = options.connect_timeout;
  common.tls = target.tls;
  const auto sink = target.count == CountMode::ResourceId ? BodySink::Keep : BodySink::Hash;
  result_.setup_error = loop_.open_connections(common, sink, share.connections);
  if (!result_.setup_error.empty()) return;
  for (int i = 0; i < share.connections; ++i) {
    auto slot = std::make_unique<Slot>();
    slot->index = i;
    idle_.push_back(slot.get());
    slots_.push_back(std::move(slot));
  }
  done_.reserve(static_cast<size_t>(share.connections));
  if (target.count == CountMode::ResourceId) id_member_ = single_level_pointer(target.resource_id_pointer);
  delayed_.reserve(static_cast<size_t>(share.connections) * 4 +
                   static_cast<size_t>(options.dups) * 4);
  result_.seconds.reserve(static_cast<size_t>(options.duration.count() / 1000 + 4));
  result_.second_latency.reserve(result_.seconds.capacity());
  const long long limit = options.request_log_limit;
  request_log_cap_ = limit / share.threads + (share.index < limit % share.threads ? 1 : 0);
  if (request_log_cap_ > 0) {
    // Reserved up front (bounded by what the run can send) so the send path never reallocates.
    long long expected = request_log_cap_;
    if (share.requests > 0) expected = std::min(expected, share.requests + share.connections);
    result_.requests.reserve(static_cast<size_t>(expected));
  }
}

Worker::~Worker() = default;

int64_t Worker::now_us() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start_)
      .count();
}

int64_t Worker::arrival_time_us(double n) const {
  // The schedule's cumulative arrivals grow by the integral of the rate: within a linear ramp
  // from r0 to r1 over L seconds, N(x) = r0 x + (r1 - r0) x^2 / 2L; solved for x.
  double from = options_.rate;
  double start = 0;
  for (const RateStage& s : options_.stages) {
    const double len = static_cast<double>(s.duration.count()) / 1000.0;
    const double area = (from + s.rate) / 2 * len;
    if (n <= area) {
      const double a = (s.rate - from) / (2 * len);
      const double x = std::abs(a) < 1e-12 ? n / from
                                            : (-from + std::sqrt(from * from + 4 * a * n)) / (2 * a);
      return static_cast<int64_t>((start + x) * 1e6);
    }
    n -= area;
    start += len;
    from = s.rate;
  }
  if (from <= 0) return INT64_MAX;
  return static_cast<int64_t>((start + n / from) * 1e6);
}

void Worker::close_second() {
  if (last_second_ < 0) return;
  live_.p99_us.store(second_latency_.value_at_percentile(99), std::memory_order_relaxed);
  if (second_latency_.total() == 0) return;
  // Once a second, not per request: the only allocation of the series.
  auto& series = result_.second_latency;
  const auto at = static_cast<size_t>(last_second_);
  if (series.size() <= at) series.resize(at + 1);
  series[at] = second_latency_.nonzero_counts();
  second_latency_.reset();
  auto& kinds = result_.second_kind_latency;
  if (kinds.size() <= at) kinds.resize(at + 1);
  for (size_t k = 0; k < second_by_kind_.size(); ++k) {
    if (second_by_kind_[k].total() == 0) continue;
    kinds[at][k] = second_by_kind_[k].nonzero_counts();
    second_by_kind_[k].reset();
  }
}

void Worker::log_request(const Pending& p, int64_t sent_us, int64_t now, const LoadAnswer* a,
                         RequestOutcome outcome) {
  if (request_log_cap_ == 0) return;
  if (static_cast<long long>(result_.requests.size()) >= request_log_cap_) {
    ++result_.requests_dropped;
    return;
  }
  RequestRecord& r = result_.requests.emplace_back();
  r.sent_us = sent_us;
  r.intended_us = p.intended_us;
  r.key = p.key;
  r.kind = p.kind;
  r.outcome = outcome;
  if (a != nullptr && a->error == TransportError::None) {
    r.latency_us = now - sent_us;
    r.status = static_cast<uint16_t>(std::clamp(a->status, 0, 999));
  } else if (a != nullptr) {
    r.error = static_cast<uint8_t>(a->error);
  }
}

std::vector<std::string> Worker::take_started_keys() {
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(next_key_));
  for (long long i = 0; i < next_key_; ++i) out.push_back(std::move(keys_[static_cast<size_t>(i)].key));
  return out;
}

SecondSample& Worker::second(int64_t now) {
  const int64_t index = now / 1'000'000;
  if (index != last_second_) {
    close_second();
    last_second_ = index;
  }
  while (result_.seconds.size() <= static_cast<size_t>(index)) result_.seconds.emplace_back();
  return result_.seconds[static_cast<size_t>(index)];
}

long long Worker::keys_to_prepare() const {
  long long n = share_.keys;
  // Every send may be a key's only one, so -n bounds the keys a thread can start.
  if (share_.requests > 0) n = std::min(n, share_.requests);
  if (options_.open_model() && options_.duration.count() > 0) {
    const double seconds = static_cast<double>(options_.duration.count()) / 1000.0;
    const double arrivals = schedule_arrivals(seconds) / share_.threads;
    n = std::min(n, static_cast<long long>(arrivals) + 2);
  }
  const bool open_ended = share_.requests == 0 && !options_.open_model() && options_.keys == 0;
  if (open_ended) n = std::min(n, options_.prepared_ahead);
  return std::clamp<long long>(n, 0, options_.max_prepared_keys);
}

void Worker::top_up() {
  const auto ahead = static_cast<size_t>(std::min(options_.prepared_ahead, options_.max_prepared_keys));
  for (int i = 0; i < kTopUpBatch; ++i) {
    if (static_cast<long long>(keys_.size()) >= share_.keys) return;
    if (share_.requests > 0 && static_cast<long long>(keys_.size()) >= share_.requests) return;
    if (keys_.size() >= static_cast<size_t>(next_key_) + ahead) return;
    prepare_next_key();
    ++result_.keys_prepared_idle;
  }
}

double Worker::schedule_arrivals(double seconds) const {
  // The integral of the rate over [0, seconds]: linear ramps, then the last rate holds.
  double from = options_.rate;
  double at = 0;
  double n = 0;
  for (const RateStage& s : options_.stages) {
    const double len = static_cast<double>(s.duration.count()) / 1000.0;
    if (seconds <= at + len) {
      const double x = seconds - at;
      return n + from * x + (s.rate - from) * x * x / (2 * len);
    }
    n += (from + s.rate) / 2 * len;
    at += len;
    from = s.rate;
  }
  return n + from * (seconds - at);
}

void Worker::prepare_next_key() {
  const StressMix& m = options_.mix;
  const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  Operation op = Operation::Normal;
  double edge = m.missing_key;
  if (u < edge) {
    op = Operation::MissingKey;
  } else if (u < (edge += m.invalid_key)) {
    op = Operation::InvalidKey;
  } else if (u < (edge += m.mismatch)) {
    op = Operation::Mismatch;
  } else if (u < (edge += m.failure)) {
    op = Operation::Failure;
  } else if (u < (edge += m.lost_response)) {
    op = Operation::LostResponse;
  }
  prepare_key(keys_.emplace_back(), plan_, share_.first_key + static_cast<long long>(keys_.size()),
              op);
}

void Worker::prepare() {
  const long long n = keys_to_prepare();
  for (long long i = 0; i < n; ++i) prepare_next_key();
  result_.keys_prepared = static_cast<uint64_t>(n);
}

bool Worker::start_key(int64_t now) {
  if (next_key_ >= share_.keys) return false;
  if (static_cast<size_t>(next_key_) >= keys_.size()) {
    // Beyond what was prepared (an open-ended closed-model run): rendered here, counted.
    prepare_next_key();
    ++result_.keys_prepared_in_run;
  }
  const auto index = static_cast<uint32_t>(next_key_);
  keys_[index].started = true;
  ++next_key_;
  live_.keys_started.store(static_cast<uint64_t>(next_key_), std::memory_order_release);
  ++result_.keys_started;
  release_phase(index, now);
  return true;
}

void Worker::release_phase(uint32_t key, int64_t now) {
  KeyEntry& k = keys_[key];
  const int dups = options_.dups;
  const int follow_ups = std::max(dups - 1, 1);
  RequestKind kind = RequestKind::Duplicate;
  int count = 0;
  if (k.phase == 0) {
    switch (k.op) {
      case Operation::Normal:
      case Operation::Mismatch:
        kind = RequestKind::First;
        count = dups;
        break;
      case Operation::MissingKey:
        kind = RequestKind::MissingKey;
        count = dups;
        break;
      case Operation::InvalidKey:
        kind = RequestKind::InvalidKey;
        count = dups;
        break;
      case Operation::Failure:
        kind = RequestKind::Failure;
        count = 1;
        break;
      case Operation::LostResponse:
        kind = RequestKind::LostResponse;
        count = 1;
        break;
    }
  } else {
    kind = k.op == Operation::Mismatch ? RequestKind::Mismatch : RequestKind::Duplicate;
    count = k.op == Operation::Mismatch ? 1 : follow_ups;
  }
  k.outstanding = static_cast<uint16_t>(count);
  for (int j = 0; j < count; ++j) {
    Pending p;
    p.key = key;
    p.kind = j > 0 && kind == RequestKind::First ? RequestKind::Duplicate : kind;
    p.eligible_us =
        options_.pattern == StressPattern::Stagger ? now + j * options_.stagger.count() * 1000 : now;
    if (p.eligible_us <= now) {
      ready_.push_back(p);
    } else {
      delayed_.push_back(p);
      std::push_heap(delayed_.begin(), delayed_.end(), [](const Pending& a, const Pending& b) {
        return later(a, b);
      });
    }
  }
}

void Worker::finish_send(uint32_t key, int64_t now) {
  KeyEntry& k = keys_[key];
  if (k.outstanding > 0) --k.outstanding;
  if (k.outstanding > 0 || k.phase > 0) return;
  const bool follow_ups = k.op == Operation::Mismatch || k.op == Operation::Failure ||
                          k.op == Operation::LostResponse;
  if (!follow_ups) return;
  k.phase = 1;
  release_phase(key, now);
}

void Worker::schedule_retry(const Pending& p, const LoadAnswer& a, int64_t now) {
  Millis delay{0};
  if (a.status == 409 && a.retry_after_seconds >= 0) {
    // RFC 9110 §10.2.3: Retry-After in seconds; honoured up to the cap so a run stays bounded.
    delay = std::min(Millis{a.retry_after_seconds * 1000LL}, kRetryMaxDelay);
  } else {
    // Capped exponential backoff with full jitter.
    const long long cap = std::min<long long>(kRetryMaxDelay.count(),
                                              kRetryBaseDelay.count() << (p.attempt - 1));
    delay = Millis{std::uniform_int_distribution<long long>(0, cap)(rng_)};
  }
  Pending r = p;
  r.kind = RequestKind::Retry;
  r.attempt = static_cast<uint8_t>(p.attempt + 1);
  r.intended_us = -1;
  r.eligible_us = now + delay.count() * 1000;
  delayed_.push_back(r);
  std::push_heap(delayed_.begin(), delayed_.end(),
                 [](const Pending& x, const Pending& y) { return later(x, y); });
}

void Worker::send(Slot& slot, const Pending& p, int64_t now) {
  const KeyEntry& k = keys_[p.key];
  size_t n = 0;
  for (const std::string& l : plan_.common_lines) {
    if (n < slot.lines.size()) slot.lines[n++] = &l;
  }
  if (p.kind == RequestKind::InvalidKey) {
    slot.lines[n++] = &plan_.invalid_key_line;
  } else if (p.kind != RequestKind::MissingKey) {
    slot.lines[n++] = &k.key_line;
  }
  if (p.kind == RequestKind::Failure) {
    for (const std::string& l : plan_.failure_lines) {
      if (n < slot.lines.size()) slot.lines[n++] = &l;
    }
  }
  if (p.kind == RequestKind::LostResponse && n < slot.lines.size()) {
    slot.lines[n++] = &plan_.drop_line;
  }
  slot.url = p.kind == RequestKind::LostResponse ? &plan_.proxy_url : &plan_.urls[k.url_index];
  std::string_view body = k.body;
  if (p.kind == RequestKind::Mismatch) body = k.alt_body;
  if (p.kind == RequestKind::Failure && plan_.failure_has_body) body = plan_.failure_body;
  slot.pending = p;
  slot.sent_us = now;
  ++result_.sent;
  live_.sent.store(result_.sent, std::memory_order_relaxed);
  ++second(now).sent;
  if (!loop_.start(slot.index, *slot.url, std::span(slot.lines.data(), n), body)) {
    LoadAnswer failed;
    failed.error = TransportError::Other;
    log_request(p, now, now, &failed, RequestOutcome::TransportError);
    ++result_.transport_errors[static_cast<size_t>(TransportError::Other)];
    live_.errors.fetch_add(1, std::memory_order_relaxed);
    SecondSample& sec = second(now);
    ++sec.errors;
    ++sec.status_classes[static_cast<size_t>(StatusClass::TransportError)];
    idle_.push_back(&slot);
    finish_send(p.key, now);
    return;
  }
  ++active_;
}

void Worker::record_violation(const Verdict& v, const Slot& slot, const LoadAnswer& a,
                              int64_t now) {
  for (int i = 0; i < kInvariants; ++i) {
    if ((v.violated & (1u << i)) == 0) continue;
    Violation& out = result_.violations[static_cast<size_t>(i)];
    ++out.count;
    live_.violations.fetch_add(1, std::memory_order_relaxed);
    ++second(now).violations;
    if (out.examples.size() >= kMaxViolationExamples) continue;
    const KeyEntry& k = keys_[slot.pending.key];
    // A repro names the target itself, not the run's ephemeral chaos proxy.
    const std::string& url =
        plan_.direct_urls.empty() ? *slot.url : plan_.direct_urls[k.url_index];
    const ClientRequest r = plan_.example_request(k, slot.pending.kind, url);
    ViolationExample e;
    e.key = slot.pending.kind == RequestKind::MissingKey ? "" : k.key;
    e.kind = std::string(to_string(slot.pending.kind));
    e.detail = v.detail;
    e.request = describe_request(r);
    e.response = std::string(loop_.head(slot.index)) + std::string(loop_.body(slot.index));
    if (a.body_bytes > loop_.body(slot.index).size()) e.response += "\n[body truncated]";
    e.curl = to_curl_command(r);
    e.at_seconds = static_cast<double>(now) / 1e6;
    out.examples.push_back(std::move(e));
  }
}

void Worker::on_done(Slot& slot, const LoadAnswer& a, int64_t now) {
  --active_;
  idle_.push_back(&slot);
  const Pending p = slot.pending;
  KeyEntry& k = keys_[p.key];
  SecondSample& sec = second(now);
  const bool retrying = options_.pattern == StressPattern::Retry && p.attempt < kMaxRetryAttempts;
  if (a.error != TransportError::None) {
    ++result_.transport_errors[static_cast<size_t>(a.error)];
    live_.errors.fetch_add(1, std::memory_order_relaxed);
    ++sec.errors;
    ++sec.status_classes[static_cast<size_t>(StatusClass::TransportError)];
    if (p.kind == RequestKind::LostResponse) ++result_.outcomes.lost_injected;
    log_request(p, slot.sent_us, now, &a,
                p.kind == RequestKind::LostResponse ? RequestOutcome::LostInjected
                                                    : RequestOutcome::TransportError);
    // A chaos proxy's lost answer is a close, a reset or a hang: what a retrying client retries.
    // Any transport failure is safe to retry with an idempotency key; under chaos a write
    // failure is also what a client sees on a connection the proxy has just ended.
    const bool lost_by_chaos = !plan_.direct_urls.empty() && a.error != TransportError::Connect;
    if (retrying && (a.error == TransportError::Timeout || lost_by_chaos)) {
      schedule_retry(p, a, now);
    } else {
      finish_send(p.key, now);
    }
    return;
  }
  ++result_.answered;
  live_.answered.store(result_.answered, std::memory_order_relaxed);
  ++result_.statuses[static_cast<size_t>(std::clamp(a.status, 0, 599))];
  const int64_t latency = now - slot.sent_us;
  result_.latency.record(latency);
  result_.by_kind[static_cast<size_t>(p.kind)].record(latency);
  if (p.intended_us >= 0) result_.corrected.record(now - p.intended_us);
  second_latency_.record(latency);
  second_by_kind_[static_cast<size_t>(p.kind)].record(latency);
  ++sec.answered;
  ++sec.status_classes[static_cast<size_t>(status_class(a.status))];
  sec.latency_max_us = std::max(sec.latency_max_us, latency);
  sec.latency_sum_us += static_cast<double>(latency);
  if (a.chaos_injected) {
    // The chaos proxy's own 5xx, not the target's: retried like a gateway error, never judged.
    log_request(p, slot.sent_us, now, &a, RequestOutcome::LostInjected);
    if (retrying) {
      schedule_retry(p, a, now);
    } else {
      finish_send(p.key, now);
    }
    return;
  }
  if (p.kind == RequestKind::LostResponse) {
    ++result_.outcomes.lost_injected;  // the proxy did not drop it; nothing to judge
    log_request(p, slot.sent_us, now, &a, RequestOutcome::LostInjected);
    finish_send(p.key, now);
    return;
  }
  uint64_t identity = a.body_hash;
  if (target_.count == CountMode::ResourceId && a.status >= 200 && a.status < 300) {
    const std::string_view body = loop_.body(slot.index);
    // The id's text as the parser would print it, found without parsing; parsed only when the
    // cheap look-up cannot answer (nested pointer, an id that is no plain string or integer).
    const auto raw = id_member_ ? top_level_member(body, *id_member_) : std::nullopt;
    identity = raw ? curl::fnv1a(curl::kFnvOffset, *raw)
                   : curl::fnv1a(curl::kFnvOffset, execution_identity(target_, body));
  }
  const StressOutcomes before = result_.outcomes;
  const Verdict v = judge(k, p.kind, a, identity, slot.sent_us, now, rules_, result_.outcomes,
                          result_.observed);
  log_request(p, slot.sent_us, now, &a, moved_outcome(before, result_.outcomes));
  if (v.violated != 0) record_violation(v, slot, a, now);
  if (retrying && (a.status == 409 || a.status >= 500)) {
    schedule_retry(p, a, now);
  } else {
    finish_send(p.key, now);
  }
}

void Worker::run(SteadyTime start) {
  start_ = start;
  if (!result_.setup_error.empty()) {
    live_.done.store(true);
    return;
  }
  const bool open = options_.open_model();
  const int64_t end_us =
      options_.duration.count() > 0 ? options_.duration.count() * 1000 : INT64_MAX;
  const int64_t drain_us = std::min(options_.timeout, kDrainLimit).count() * 1000;
  const int64_t cpu_start = thread_cpu_us();
  if (open) next_arrival_us_ = arrival_time_us(next_arrival_n());
  const auto heap_order = [](const Pending& a, const Pending& b) { return later(a, b); };
  bool stopping = false;
  int64_t drain_deadline = 0;
  int64_t now = now_us();
  while (true) {
    now = now_us();
    const bool budget_left = share_.requests == 0 || static_cast<long long>(result_.sent) <
                                                         share_.requests;
    const bool work_left = next_key_ < share_.keys || !ready_.empty() || !delayed_.empty() ||
                           !due_.empty() || active_ > 0;
    // After a stall (a descheduled thread, a slow poll) the open model still owes the arrivals
    // its schedule put before the end: send them instead of stopping short of the rate (for at
    // most the drain time, so a generator that cannot start them still stops).
    const bool arrivals_owed =
        open && next_arrival_us_ < std::min(now, end_us) && now - end_us < drain_us;
    if (!stopping && (stop_.load(std::memory_order_relaxed) || (now >= end_us && !arrivals_owed) ||
                      !budget_left ||
                      !work_left)) {
      stopping = true;
      stopped_us_ = now;
      drain_deadline = now + drain_us;
    }
    if (stopping && (active_ == 0 || now >= drain_deadline)) break;
    if (!stopping) {
      while (!delayed_.empty() && delayed_.front().eligible_us <= now) {
        std::pop_heap(delayed_.begin(), delayed_.end(), heap_order);
        ready_.push_back(delayed_.back());
        delayed_.pop_back();
      }
      if (open) {
        while (next_arrival_us_ <= now && next_arrival_us_ < end_us) {
          if (ready_.empty() && !start_key(now)) break;
          if (ready_.empty()) break;
          Pending p = ready_.front();
          ready_.pop_front();
          p.intended_us = next_arrival_us_;
          result_.lag.record(now - next_arrival_us_);
          if (idle_.empty()) ++result_.waited_for_connection;
          due_.push_back(p);
          ++arrivals_;
          next_arrival_us_ = arrival_time_us(next_arrival_n());
        }
        while (!due_.empty() && !idle_.empty() &&
               (share_.requests == 0 || static_cast<long long>(result_.sent) < share_.requests)) {
          Slot* slot = idle_.back();
          idle_.pop_back();
          send(*slot, due_.front(), now);
          due_.pop_front();
        }
      } else {
        while (!idle_.empty() &&
               (share_.requests == 0 || static_cast<long long>(result_.sent) < share_.requests)) {
          if (ready_.empty() && !start_key(now)) break;
          if (ready_.empty()) break;  // staggered: the next send is not due yet
          Slot* slot = idle_.back();
          idle_.pop_back();
          send(*slot, ready_.front(), now);
          ready_.pop_front();
        }
      }
    }
    done_.clear();
    if (loop_.step(done_) > 0) {
      now = now_us();
      for (const LoadCompletion& c : done_) {
        on_done(*slots_[static_cast<size_t>(c.connection)], c.answer, now);
      }
    }
    now = now_us();
    int64_t wait_us = int64_t{kPollMillis} * 1000;
    if (!stopping && !delayed_.empty()) wait_us = std::min(wait_us, delayed_.front().eligible_us - now);
    if (!stopping && open) wait_us = std::min(wait_us, next_arrival_us_ - now);
    // Closed model: a connection that just got its answer sends its next request at once.
    const bool budget = share_.requests == 0 || static_cast<long long>(result_.sent) < share_.requests;
    if (!stopping && !open && !idle_.empty() && budget &&
        (!ready_.empty() || next_key_ < share_.keys)) {
      wait_us = 0;
    }
    if (wait_us >= 1000) {
      // Nothing to send until an answer or a timer: render the next keys meanwhile.
      if (!stopping) top_up();
      loop_.wait(static_cast<int>(wait_us / 1000));
    }
  }
  if (!stopping) stopped_us_ = now;
  result_.load_us = stopped_us_;
  if (request_log_cap_ > 0) {
    std::vector<bool> idle(slots_.size(), false);
    for (const Slot* slot : idle_) idle[static_cast<size_t>(slot->index)] = true;
    for (const auto& slot : slots_) {
      if (!idle[static_cast<size_t>(slot->index)]) {
        log_request(slot->pending, slot->sent_us, now, nullptr, RequestOutcome::Unfinished);
      }
    }
  }
  result_.unfinished += loop_.abandon();
  close_second();
  const int64_t wall = std::max<int64_t>(1, now_us());
  result_.busy_ratio = static_cast<double>(thread_cpu_us() - cpu_start) / static_cast<double>(wall);
  live_.done.store(true);
}

std::pair<uint64_t, uint64_t> Worker::count_executions(Millis budget) {
  if (target_.count != CountMode::ExecutionsUrl) return {0, 0};
  HttpClient client;
  const auto deadline = std::chrono::steady_clock::now() + budget;
  uint64_t counted = 0, uncounted = 0;
  for (KeyEntry& k : keys_) {
    if (!k.started || k.op == Operation::MissingKey || k.op == Operation::InvalidKey) continue;
    if (!k.answered && k.op != Operation::LostResponse) continue;
    if (std::chrono::steady_clock::now() >= deadline) {
      ++uncounted;
      continue;
    }
    auto n = read_executions(client, target_, k.key, 0, options_.timeout,
                             options_.connect_timeout);
    if (!n) {
      ++uncounted;
      continue;
    }
    ++counted;
    ++result_.observed[static_cast<size_t>(Invariant::ExactlyOnce)];
    if (*n <= 1 || k.counted_twice) continue;
    k.counted_twice = true;
    Violation& out = result_.violations[static_cast<size_t>(Invariant::ExactlyOnce)];
    ++out.count;
    if (out.examples.size() >= kMaxViolationExamples) continue;
    const ClientRequest r = plan_.example_request(
        k, RequestKind::First,
        plan_.direct_urls.empty() ? plan_.urls[k.url_index] : plan_.direct_urls[k.url_index]);
    ViolationExample e;
    e.key = k.key;
    e.kind = std::string(to_string(RequestKind::First));
    e.detail = "the key was executed " + std::to_string(*n) + " times (executions URL)";
    e.request = describe_request(r);
    e.response = "(the executions counter answered " + std::to_string(*n) + ")";
    e.curl = to_curl_command(r);
    out.examples.push_back(std::move(e));
  }
  return {counted, uncounted};
}

SampleSource Worker::sample_source() const {
  SampleSource out;
  out.started = &live_.keys_started;
  // Prepared keys only: the deque does not move them, and nothing writes their key during the
  // run; the keys rendered on the loop thread later are not sampled.
  for (size_t i = 0; i < keys_.size(); ++i) {
    const KeyEntry& k = keys_[i];
    if (k.op == Operation::MissingKey || k.op == Operation::InvalidKey) continue;
    out.keys.push_back({i, &k.key});
  }
  return out;
}

std::vector<std::string> Worker::keys_counted_twice() const {
  std::vector<std::string> out;
  for (const KeyEntry& k : keys_) {
    if (k.counted_twice) out.push_back(k.key);
  }
  return out;
}

std::vector<uint64_t> Worker::first_identities() const {
  std::vector<uint64_t> out;
  for (const KeyEntry& k : keys_) {
    if (k.identity_seen) out.push_back(k.first_identity);
  }
  return out;
}

}  // namespace idem::stress
