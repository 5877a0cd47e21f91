R='/work/wt-verify/'
def edit(p, old, new, count=1):
    s=open(R+p).read()
    assert old in s, (p, old[:70])
    s=s.replace(old,new,count)
    open(R+p,'w').write(s)
p='src/cli/verify_flags.hpp'
edit(p,'''  std::string connect_timeout = "2s";''','''  std::string connect_timeout = "2s";
  std::string deadline = "60s";''')
p='src/cli/verify_flags.cpp'
edit(p,'''  o.timeout = *timeout;
  o.connect_timeout = *connect;''','''  o.timeout = *timeout;
  o.connect_timeout = *connect;
  auto deadline = duration_flag("--deadline", f.deadline);
  if (!deadline) return deadline.error();
  if (deadline->count() <= 0) {
    return make_error(ErrorCode::InvalidArgument, "--deadline: expected a duration > 0");
  }
  o.deadline = *deadline;''')
p='src/cli/verify_command.cpp'
edit(p,'''  cmd->add_option("--report", f->reports, "Also write json=FILE or junit=FILE (repeatable)");''','''  cmd->add_option("--deadline", f->deadline,
                  "The whole run; checks not finished by then fail, naming it")
      ->capture_default_str();
  cmd->add_option("--report", f->reports, "Also write json=FILE or junit=FILE (repeatable)");''')
edit(p,'''// The embedded reference server's lock TTL''','''// Detecting an idemctl serve is one small GET; a target that hangs must not eat --timeout here.
constexpr Millis kStatsProbeTimeout{2000};
// How often the signal watcher looks whether the run is over.
constexpr long kSignalPollNanos = 100'000'000;

// The embedded reference server's lock TTL''')
edit(p,'''  r.timeout = o.timeout;
  r.connect_timeout = o.connect_timeout;
  const ClientResponse res = client.send(r);''','''  r.timeout = std::min(o.timeout, kStatsProbeTimeout);
  r.connect_timeout = o.connect_timeout;
  const ClientResponse res = client.send(r);''')
edit(p,'''void print_list(''','''void write_reports(const Report& report, const std::vector<ReportFile>& files) {
  for (const auto& r : files) {
    std::ofstream out(r.path, std::ios::binary | std::ios::trunc);
    if (r.format == "json") {
      write_json_report(report, out);
    } else {
      write_junit_report(report, out);
    }
  }
}

// SIGINT/SIGTERM during a run: print the summary and write the reports of the checks run so far,
// then exit 130. Signals are blocked in every thread and taken here with sigtimedwait, so no
// async-signal-safety limits apply.
class InterruptWatch {
 public:
  InterruptWatch(Report header, std::vector<ReportFile> files, bool color)
      : partial_(std::move(header)), files_(std::move(files)), color_(color) {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
    thread_ = std::thread([this] { watch(); });
  }
  ~InterruptWatch() {
    done_ = true;
    thread_.join();
  }
  void add(const CheckResult& c) {
    const std::lock_guard lock(mu_);
    partial_.checks.push_back(c);
  }
  /// The run is over: a later signal no longer writes a partial report.
  void finish() {
    const std::lock_guard lock(mu_);
    finished_ = true;
  }

 private:
  void watch() {
    const timespec poll{0, kSignalPollNanos};
    while (!done_) {
      const int sig = sigtimedwait(&signals_, nullptr, &poll);
      if (sig <= 0) continue;
      const std::lock_guard lock(mu_);
      if (finished_) return;
      write_text_report(partial_, std::cout, color_);
      write_reports(partial_, files_);
      std::cout.flush();
      std::cerr << "idemctl verify: interrupted by " << (sig == SIGINT ? "SIGINT" : "SIGTERM")
                << " after " << partial_.checks.size() << " checks; the reports hold those\\n";
      std::cerr.flush();
      std::_Exit(kExitInterrupted);
    }
  }

  sigset_t signals_;
  std::mutex mu_;  // guards partial_ and finished_
  Report partial_;
  bool finished_ = false;
  std::vector<ReportFile> files_;
  bool color_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

void print_list(''')
edit(p,'''  auto reports = parse_reports(f.reports);
  if (!reports) return fail_usage(reports.error().message);
''','''  auto reports = parse_reports(f.reports);
  if (!reports) return fail_usage(reports.error().message);
  for (const auto& r : *reports) {
    // Checked before the run, so a long run does not end in an unwritable path.
    std::ofstream probe(r.path, std::ios::binary | std::ios::app);
    if (!probe) return fail_usage("--report: cannot write " + r.path);
  }
  Report header;
  header.tool_version = IDEM_VERSION;
  header.profile = options->profile.name;
  // Before any thread starts, so every thread inherits the blocked signals.
  InterruptWatch interrupt(header, *reports, use_color());
''')
edit(p,'''  const Report report = verify::run_verify(*catalogue, *target, *options);
  write_text_report(report, std::cout, use_color());
  for (const auto& r : *reports) {
    std::ofstream out(r.path, std::ios::binary | std::ios::trunc);
    if (!out) return fail_usage("--report: cannot write " + r.path);
    if (r.format == "json") {
      write_json_report(report, out);
    } else {
      write_junit_report(report, out);
    }
  }
  return report.passed() ? kExitOk : kExitChecksFailed;''','''  options->on_check = [&interrupt](const CheckResult& c) { interrupt.add(c); };
  const Report report = verify::run_verify(*catalogue, *target, *options);
  interrupt.finish();
  write_text_report(report, std::cout, use_color());
  write_reports(report, *reports);
  return report.passed() ? kExitOk : kExitChecksFailed;''')
edit(p,'''#include <fstream>''','''#include <pthread.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <mutex>
#include <thread>''')
print("ok3")
