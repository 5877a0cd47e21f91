#include "idem/server/fault.hpp"

#include <charconv>
#include <string>

#include "idem/duration.hpp"

namespace idem {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<FaultSpec> parse_fault_spec(std::string_view text) {
  FaultSpec spec;
  while (!text.empty()) {
    const size_t end = text.find(';');
    const std::string_view part = trim(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (part.empty()) continue;
    const auto bad = [&](std::string_view why) {
      return make_error(ErrorCode::InvalidArgument,
                        "bad " + std::string(kFaultHeader) + " part '" + std::string(part) +
                            "': " + std::string(why));
    };
    if (part == "crash") {
      spec.crash = true;
    } else if (part == "throw") {
      spec.throw_error = true;
    } else if (part == "drop") {
      spec.drop = true;
    } else if (part.starts_with("status=")) {
      const std::string_view v = part.substr(7);
      int status = 0;
      auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), status);
      if (ec != std::errc{} || ptr != v.data() + v.size() || status < 200 || status > 599) {
        return bad("expected a status from 200 to 599");
      }
      spec.status = status;
    } else if (part.starts_with("delay=")) {
      auto d = parse_duration(part.substr(6));
      if (!d) return bad("expected a duration like 300ms");
      spec.delay = *d;
    } else {
      return bad("expected status=N, delay=D, crash, throw or drop");
    }
  }
  return spec;
}

}  // namespace idem
