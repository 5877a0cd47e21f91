#include "idem/server/request_log.hpp"

#include <ctime>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

namespace idem {
namespace {

std::string utc_timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Keys are logged shortened: enough to correlate, not the whole client-chosen value.
std::string short_key(std::string_view key) {
  if (key.empty()) return "-";
  return key.size() <= 13 ? std::string(key) : std::string(key.substr(0, 12)) + "~";
}

// Client bytes in a text line: control characters (a decoded %1b, %0a) become '?', so a request
// can neither forge log lines nor drive the terminal.
std::string printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = '?';
  }
  return out;
}

}  // namespace

void RequestLog::write(const RequestLogEntry& e) {
  if (!enabled()) return;
  const double ms = static_cast<double>(e.latency.count()) / 1000.0;
  std::ostringstream line;
  if (format_ == LogFormat::Json) {
    line << nlohmann::json{{"ts", utc_timestamp()}, {"method", e.method},
                           {"path", e.path},        {"key", short_key(e.key)},
                           {"outcome", e.outcome},  {"status", e.status},
                           {"latency_ms", ms}}
                .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    line << utc_timestamp() << ' ' << printable(e.method) << ' ' << printable(e.path)
         << " key=" << printable(short_key(e.key))
         << ' ' << e.outcome << ' ' << e.status << ' ' << std::fixed << std::setprecision(2)
         << ms << "ms";
  }
  line << '\n';
  std::lock_guard lock(mu_);
  *out_ << line.str() << std::flush;
}

void RequestLog::warn(std::string_view message, std::string_view key) {
  if (out_ == nullptr) return;
  std::ostringstream line;
  if (format_ == LogFormat::Json) {
    line << nlohmann::json{{"ts", utc_timestamp()}, {"level", "warning"},
                           {"message", message}, {"key", key}}
                .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    line << utc_timestamp() << " WARNING " << printable(message) << " key=" << printable(key);
  }
  line << '\n';
  std::lock_guard lock(mu_);
  *out_ << line.str() << std::flush;
}

}  // namespace idem
