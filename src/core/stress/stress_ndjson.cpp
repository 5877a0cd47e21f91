#include <cinttypes>
#include <cstdio>

#include "idem/client/http_client.hpp"
#include "idem/stress/stress_logs.hpp"

namespace idem {
namespace {

/// The key as a JSON string; our keys are UUIDs, but a key is escaped like any text.
void put_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", static_cast<unsigned>(c));
      out += esc;
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

void put_int(std::string& out, const char* name, int64_t v, bool present) {
  out += ",\"";
  out += name;
  out += "\":";
  if (!present) {
    out += "null";
    return;
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "%" PRId64, v);
  out += buf;
}

}  // namespace

void write_stress_ndjson(const StressReport& r, std::ostream& out) {
  const RequestLog& log = r.request_log;
  std::string line;
  for (const RequestRecord& rec : log.records) {
    line.clear();
    char head[64];
    std::snprintf(head, sizeof head, "{\"sent_us\":%" PRId64, rec.sent_us);
    line += head;
    put_int(line, "sent_unix_us", r.start_unix_us + rec.sent_us, true);
    put_int(line, "intended_us", rec.intended_us, rec.intended_us >= 0);
    line += ",\"key\":";
    // A missing-key send had no key, an invalid-key send the over-long one: neither is the
    // operation's key.
    const bool keyed = rec.kind != RequestKind::MissingKey && rec.kind != RequestKind::InvalidKey &&
                       rec.key < log.keys.size();
    if (keyed) {
      put_string(line, log.keys[rec.key]);
    } else {
      line += "null";
    }
    line += ",\"kind\":\"";
    line += to_string(rec.kind);
    line += "\"";
    put_int(line, "status", rec.status, rec.status != 0);
    put_int(line, "latency_us", rec.latency_us, rec.latency_us >= 0);
    line += ",\"outcome\":\"";
    line += to_string(rec.outcome);
    line += "\",\"error\":";
    if (rec.error != 0) {
      line += "\"";
      line += to_string(static_cast<TransportError>(rec.error));
      line += "\"";
    } else {
      line += "null";
    }
    line += "}\n";
    out << line;
  }
}

}  // namespace idem
