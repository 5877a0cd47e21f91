#include "idem/verify/profile.hpp"

#include <charconv>

#include "idem/http.hpp"

namespace idem::verify {
namespace {

Error bad_value(std::string_view axis, std::string_view value, std::string_view expected) {
  return make_error(ErrorCode::InvalidArgument, "invalid value '" + std::string(value) + "' for " +
                                                    std::string(axis) + ": expected " +
                                                    std::string(expected));
}

bool is_status(std::string_view v) {
  int n = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  return ec == std::errc{} && ptr == v.data() + v.size() && n >= 400 && n <= 499;
}

}  // namespace

std::string Profile::axis(std::string_view n) const {
  if (n == "key_header") return key_header;
  if (n == "missing_key") return missing_key;
  if (n == "key_format") return key_format;
  if (n == "in_flight") return in_flight;
  if (n == "server_error") return server_error;
  if (n == "mismatch") return mismatch;
  if (n == "replay_marker") return replay_marker;
  if (n == "malformed") return malformed;
  return {};
}

const std::vector<std::string>& profile_axes() {
  static const std::vector<std::string> axes = {"key_header",    "missing_key",  "key_format",
                                                "in_flight",     "server_error", "mismatch",
                                                "replay_marker", "malformed"};
  return axes;
}

Result<Profile> builtin_profile(std::string_view name) {
  Profile p;
  p.name = std::string(name);
  if (name == "default") return p;
  if (name == "ietf") {
    // draft-ietf-httpapi-idempotency-key-header: 400/409/422 SHOULDs, any sf-string key, and
    // no word on whether failures are stored.
    p.key_format = "any";
    p.server_error = "any";
    p.replay_marker = "any";
    p.malformed = "4xx";
    return p;
  }
  if (name == "stripe") {
    p.missing_key = "optional";
    p.key_format = "any";
    p.server_error = "cached";
    p.mismatch = "400";
    p.malformed = "4xx";
    return p;
  }
  if (name == "fiber") {
    p.key_header = "X-Idempotency-Key";
    p.missing_key = "optional";
    p.key_format = "any";
    p.in_flight = "wait";
    p.server_error = "cached";
    p.mismatch = "none";
    p.replay_marker = "any";
    p.malformed = "4xx";
    return p;
  }
  return make_error(ErrorCode::InvalidArgument, "unknown profile '" + std::string(name) +
                                                    "': expected default, ietf, stripe or fiber");
}

GuardConfig guard_config_for(const Profile& p, GuardConfig g) {
  g.key_header = p.key_header;
  g.key_optional = p.missing_key == "optional";
  g.key_format = p.key_format == "any" ? KeyFormat::Any : KeyFormat::Uuid4;
  g.in_flight = p.in_flight == "wait" ? InFlightPolicy::Wait : InFlightPolicy::Conflict;
  if (p.server_error != "any") g.cache_5xx = p.server_error == "cached";
  if (p.mismatch != "none") g.mismatch_status = std::stoi(p.mismatch);
  return g;
}

Result<void> set_axis(Profile& p, std::string_view axis, std::string_view value) {
  const auto one_of = [&](std::initializer_list<std::string_view> ok, std::string& field,
                          std::string_view expected) -> Result<void> {
    for (auto v : ok) {
      if (v == value) {
        field = std::string(value);
        return {};
      }
    }
    return bad_value(axis, value, expected);
  };
  if (axis == "key_header") {
    if (!is_header_name(value)) {
      return bad_value(axis, value,
                       "a header name (an RFC 9110 token: letters, digits, !#$%&'*+-.^_`|~)");
    }
    p.key_header = std::string(value);
    return {};
  }
  if (axis == "missing_key")
    return one_of({"reject", "optional"}, p.missing_key, "reject or optional");
  if (axis == "key_format") return one_of({"uuid4", "any"}, p.key_format, "uuid4 or any");
  if (axis == "in_flight") {
    if (value == "409") value = "conflict";
    return one_of({"conflict", "wait"}, p.in_flight, "409 or wait");
  }
  if (axis == "server_error") {
    return one_of({"cached", "not-cached", "any"}, p.server_error, "cached, not-cached or any");
  }
  if (axis == "mismatch") {
    if (value != "none" && !is_status(value)) return bad_value(axis, value, "a 4xx status or none");
    p.mismatch = std::string(value);
    return {};
  }
  if (axis == "replay_marker")
    return one_of({"required", "any"}, p.replay_marker, "required or any");
  if (axis == "malformed") return one_of({"400", "4xx"}, p.malformed, "400 or 4xx");
  return make_error(ErrorCode::InvalidArgument, "unknown profile axis '" + std::string(axis) + "'");
}

}  // namespace idem::verify
