// ChaosProxy: an HttpListener whose one route decides the request's faults (RuleSet), forwards
// it with the Forwarder (twice for duplicate-forward), and then delivers, replaces or loses the
// upstream's answer. Every request leaves one journal entry.
#include "idem/chaos/chaos_proxy.hpp"

#include <atomic>
#include <mutex>
#include <thread>

#include "http/forwarder.hpp"
#include "http/head_reader.hpp"
#include "http/http_listener.hpp"
#include "idem/fingerprint.hpp"

namespace idem::chaos {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

/// Sleeps `d`, ending early when the listener shuts down.
void wait_for(const httplib::Request& req, Millis d) {
  constexpr Millis kSlice{50};
  const auto until = Clock::now() + d;
  while (!listener_stopping(req)) {
    const auto left = until - Clock::now();
    if (left <= Clock::duration::zero()) return;
    std::this_thread::sleep_for(std::min<Clock::duration>(left, kSlice));
  }
}

UpstreamExchange exchange_of(const ClientResponse& a) {
  UpstreamExchange u;
  u.ms = std::chrono::duration<double, std::milli>(a.latency).count();
  if (!a.ok()) {
    u.error = std::string(to_string(a.error)) + ": " + a.error_message;
    return u;
  }
  u.status = a.response.status;
  u.body_sha256 = sha256_hex(a.response.body);
  u.replayed = find_header(a.response.headers, "Idempotent-Replayed") == "true";
  return u;
}

/// The upstream's answer cut short: its whole head (announcing the whole length) and half its
/// body. A bodiless answer is cut inside its head, so no client can take it as complete.
std::string truncated_wire(const HttpResponse& r, const std::string& faults) {
  std::string head = "HTTP/1.1 " + std::to_string(r.status) + " " +
                     std::string(edge_reason_phrase(r.status)) + "\r\n";
  for (const auto& [name, value] : r.headers) {
    if (!is_hop_by_hop(name)) head += name + ": " + value + "\r\n";
  }
  head += std::string(kChaosHeader) + ": " + faults + "\r\n";
  head += "Content-Length: " + std::to_string(r.body.size()) + "\r\nConnection: close\r\n\r\n";
  if (r.body.empty()) return head.substr(0, head.size() / 2);
  return head + r.body.substr(0, r.body.size() / 2);
}

void answer_injected(httplib::Response& res, int status, std::string_view fault,
                     const std::string& faults) {
  write_response(make_problem(status, "chaos-" + std::string(fault),
                              "Injected by idemctl chaos",
                              "fault " + faults + " (idemctl chaos); not the upstream's answer"),
                 res);
  res.set_header(std::string(kChaosHeader).c_str(), faults);
}

}  // namespace

std::vector<FaultRule> lost_response_rules() {
  FaultRule r;
  r.kind = FaultKind::DropResponse;
  r.loss = LossMode::Close;
  r.header_name = std::string(kDropResponseHeader);
  r.header_value = "1";
  return {r};
}

ChaosOptions lost_response_proxy(std::string upstream, TlsClientOptions tls) {
  ChaosOptions o;
  o.upstream = std::move(upstream);
  o.tls = std::move(tls);
  o.rules = lost_response_rules();
  o.control_headers = {std::string(kDropResponseHeader)};
  return o;
}

struct ChaosProxy::Impl {
  explicit Impl(ChaosOptions o)
      : options(std::move(o)),
        forwarder(ForwardOptions{options.upstream, options.tls, options.upstream_timeout,
                                 Millis{2'000}, options.max_body,
                                 [this](std::string_view name) { return is_control(name); }}),
        rules(std::make_shared<RuleSet>(options.rules, options.seed)) {}

  bool is_control(std::string_view name) const {
    for (const std::string& c : options.control_headers) {
      if (iequals(c, name)) return true;
    }
    return false;
  }
  std::shared_ptr<RuleSet> current_rules() const {
    std::lock_guard<std::mutex> lock(rules_mutex);
    return rules;
  }
  void handle(const httplib::Request& req, httplib::Response& res);
  void deliver(const httplib::Request& req, httplib::Response& res, const Decision& d,
               const ClientResponse& answer, JournalEntry& entry);

  ChaosOptions options;
  Forwarder forwarder;
  mutable std::mutex rules_mutex;
  std::shared_ptr<RuleSet> rules;
  Journal journal;
  HttpListener listener;
  Clock::time_point started_at = Clock::now();
  bool started = false;
  int port = 0;
  std::atomic<uint64_t> requests{0}, forwarded{0}, faulted{0}, lost{0}, upstream_errors{0};
};

void ChaosProxy::Impl::handle(const httplib::Request& req, httplib::Response& res) {
  const auto start = Clock::now();
  ++requests;
  JournalEntry entry;
  entry.at_ms = std::chrono::duration<double, std::milli>(start - started_at).count();
  entry.method = req.method;
  entry.path = req.path;
  entry.key = req.get_header_value(options.key_header.c_str());
  HeaderList headers;
  for (const auto& [name, value] : req.headers) headers.emplace_back(name, value);
  const Decision d =
      current_rules()->decide(RequestFacts{req.method, req.path, &headers, entry.key});
  entry.faults = d.applied;
  const std::string faults = join(d.applied);
  if (d.any()) ++faulted;

  if (d.delay_request.count() > 0) wait_for(req, d.delay_request);
  if (d.terminal && d.terminal->kind == FaultKind::Abort) {
    answer_injected(res, d.terminal->status, "abort", faults);
    entry.client_status = res.status;
    entry.total_ms = ms_since(start);
    journal.write(std::move(entry));
    return;
  }

  const ClientRequest up = forwarder.upstream_request(req);
  ClientResponse duplicate;
  std::thread second;
  // The copy goes out at the same time as the original, as a replayed packet or a retrying
  // middlebox would send it, on a connection of its own.
  if (d.duplicate_forward) second = std::thread([&] { duplicate = forwarder.send_fresh(up); });
  const ClientResponse answer = forwarder.send(up);
  if (second.joinable()) second.join();
  forwarded += d.duplicate_forward ? 2 : 1;
  if (!answer.ok()) ++upstream_errors;
  if (d.duplicate_forward && !duplicate.ok()) ++upstream_errors;
  entry.upstream = exchange_of(answer);
  if (d.duplicate_forward) entry.duplicate = exchange_of(duplicate);
  if (d.delay_response.count() > 0) wait_for(req, d.delay_response);
  deliver(req, res, d, answer, entry);
  entry.total_ms = ms_since(start);
  journal.write(std::move(entry));
}

void ChaosProxy::Impl::deliver(const httplib::Request& req, httplib::Response& res,
                               const Decision& d, const ClientResponse& answer,
                               JournalEntry& entry) {
  const std::string faults = join(d.applied);
  if (d.terminal && d.terminal->kind == FaultKind::ReplaceStatus) {
    ++lost;
    entry.answer_lost = answer.ok();
    answer_injected(res, d.terminal->status, "replace-status", faults);
    entry.client_status = res.status;
    return;
  }
  if (d.terminal && d.terminal->kind == FaultKind::DropResponse) {
    // Counted before the connection ends, so a client that sees it end also sees the count.
    ++lost;
    entry.answer_lost = answer.ok();
    switch (d.terminal->loss) {
      case LossMode::Close:
        entry.client = ClientOutcome::Closed;
        if (drop_connection(req)) return;
        break;
      case LossMode::Reset:
        entry.client = ClientOutcome::Reset;
        if (reset_connection(req)) return;
        break;
      case LossMode::Hang:
        entry.client = ClientOutcome::Hang;
        if (hold_connection(req, options.hang_limit)) return;
        break;
      case LossMode::Truncate:
        entry.client = ClientOutcome::Truncated;
        if (!answer.ok()) {
          if (drop_connection(req)) return;
        } else {
          entry.client_status = answer.response.status;
          if (write_and_drop_connection(req, truncated_wire(answer.response, faults))) return;
        }
        break;
    }
    --lost;
    entry.answer_lost = false;
    entry.client = ClientOutcome::Answered;
    write_response(make_problem(502, "chaos-drop-failed", "Proxy could not drop the response",
                                "the client connection was not found; the answer is withheld"),
                   res);
    entry.client_status = res.status;
    return;
  }
  if (answer.error == TransportError::Closed && drop_connection(req)) {
    // The upstream hung up without a whole answer: pass that on as it is, rather than turning a
    // lost response into an answer the client could mistake for the upstream's.
    entry.client = ClientOutcome::Closed;
    return;
  }
  Forwarder::write_answer(answer, res);
  if (d.any()) res.set_header(std::string(kChaosHeader).c_str(), faults);
  entry.client_status = res.status;
}

ChaosProxy::ChaosProxy(ChaosOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

ChaosProxy::~ChaosProxy() { stop(); }

Result<int> ChaosProxy::start() {
  Impl& s = *impl_;
  if (s.started) return make_error(ErrorCode::InvalidArgument, "the proxy is already running");
  auto opened = s.journal.open(s.options.journal_path);
  if (!opened) return opened.error();
  const auto handler = [&s](const httplib::Request& req, httplib::Response& res) {
    s.handle(req, res);
  };
  const std::string any = ".*";
  // httplib routes HEAD to the GET handlers, with req.method still "HEAD".
  s.listener.Get(any, handler)
      .Post(any, handler)
      .Put(any, handler)
      .Patch(any, handler)
      .Delete(any, handler)
      .Options(any, handler);
  s.listener.set_payload_max_length(s.options.max_body);
  s.listener.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        write_response(make_problem(502, "proxy-error", "Proxy error", "unexpected proxy failure"),
                       res);
      });
  ListenerOptions lo;
  lo.host = s.options.host;
  lo.port = s.options.port;
  lo.threads = s.options.workers;
  auto bound = s.listener.start(lo);
  if (!bound) return bound.error();
  s.started_at = Clock::now();
  s.started = true;
  s.port = *bound;
  return s.port;
}

void ChaosProxy::stop() {
  if (impl_) impl_->listener.shutdown();
}

std::string ChaosProxy::base_url() const {
  return http_url(impl_->options.host, impl_->port);
}

void ChaosProxy::replace_rules(std::vector<FaultRule> rules) {
  auto fresh = std::make_shared<RuleSet>(std::move(rules), impl_->options.seed);
  std::lock_guard<std::mutex> lock(impl_->rules_mutex);
  impl_->rules = std::move(fresh);
}

std::vector<FaultRule> ChaosProxy::rules() const { return impl_->current_rules()->rules(); }

ChaosCounters ChaosProxy::counters() const {
  const Impl& s = *impl_;
  ChaosCounters c;
  c.requests = s.requests.load();
  c.forwarded = s.forwarded.load();
  c.faulted = s.faulted.load();
  c.lost = s.lost.load();
  c.upstream_errors = s.upstream_errors.load();
  c.rules = s.current_rules()->counters();
  return c;
}

void ChaosProxy::reset() {
  Impl& s = *impl_;
  replace_rules(rules());
  s.requests = 0;
  s.forwarded = 0;
  s.faulted = 0;
  s.lost = 0;
  s.upstream_errors = 0;
  s.journal.clear();
}

std::string ChaosProxy::metrics_text() const {
  const ChaosCounters c = counters();
  std::string out;
  const auto counter = [&out](std::string_view name, std::string_view help, uint64_t value) {
    out += "# HELP " + std::string(name) + " " + std::string(help) + "\n# TYPE " +
           std::string(name) + " counter\n" + std::string(name) + " " + std::to_string(value) +
           "\n";
  };
  counter("idemctl_chaos_requests_total", "Requests the chaos proxy served.", c.requests);
  counter("idemctl_chaos_forwarded_total", "Exchanges with the upstream, duplicates included.",
          c.forwarded);
  counter("idemctl_chaos_faulted_total", "Requests at least one rule applied to.", c.faulted);
  counter("idemctl_chaos_lost_answers_total",
          "Upstream answers kept from the client (dropped or replaced).", c.lost);
  counter("idemctl_chaos_upstream_errors_total", "Upstream exchanges without an answer.",
          c.upstream_errors);
  out += "# HELP idemctl_chaos_rule_applied_total Requests each rule faulted.\n"
         "# TYPE idemctl_chaos_rule_applied_total counter\n";
  const std::vector<FaultRule> current = rules();
  for (size_t i = 0; i < c.rules.size() && i < current.size(); ++i) {
    // fault_name() holds only kinds, statuses and durations: safe as a label value.
    out += "idemctl_chaos_rule_applied_total{rule=\"" + std::to_string(i) + "\",fault=\"" +
           fault_name(current[i]) + "\"} " + std::to_string(c.rules[i].applied) + "\n";
  }
  return out;
}

const Journal& ChaosProxy::journal() const { return impl_->journal; }

long long ChaosProxy::dropped() const { return static_cast<long long>(impl_->lost.load()); }

}  // namespace idem::chaos
