#include "flag_parsing.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <charconv>
#include <cstdlib>
#include <limits>

#include "idem/duration.hpp"
#include "idem/http.hpp"
#include "idem/target/base_url.hpp"

namespace idem::cli {
namespace {

Result<long long> parse_integer(std::string_view text, std::string_view what) {
  long long n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || ptr != text.data() + text.size() || n < 0) {
    return make_error(ErrorCode::InvalidArgument,
                      "invalid " + std::string(what) + " '" + std::string(text) + "'");
  }
  return n;
}

}  // namespace

Result<HostPort> parse_listen_address(std::string_view text) {
  HostPort out{"127.0.0.1", 0};
  std::string_view port_text = text;
  bool host_ok = true;
  if (const size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    std::string_view host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);  // [::1]:8080
      host_ok = host.find(':') != std::string_view::npos && is_valid_host(host);
    } else {
      // An IPv6 address goes in brackets: "::1:8080" would be ambiguous.
      host_ok = host.empty() || (host.find(':') == std::string_view::npos && is_valid_host(host));
    }
    if (!host.empty()) out.host = std::string(host);
  }
  auto port = parse_integer(port_text, "port");
  if (!host_ok || !port || *port > 65535) {
    return make_error(ErrorCode::InvalidArgument,
                      "invalid address '" + std::string(text) +
                          "': expected HOST:PORT or [IPv6]:PORT, a port 0-65535");
  }
  out.port = static_cast<int>(*port);
  return out;
}

Result<size_t> parse_byte_size(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  auto n = parse_integer(text.substr(0, digits), "size");
  const std::string_view unit = text.substr(digits);
  long long scale = 0;
  if (unit.empty() || unit == "B") scale = 1;
  if (unit == "K" || unit == "KiB") scale = 1LL << 10;
  if (unit == "M" || unit == "MiB") scale = 1LL << 20;
  if (unit == "G" || unit == "GiB") scale = 1LL << 30;
  if (!n || digits == 0 || scale == 0) {
    return make_error(ErrorCode::InvalidArgument,
                      "invalid size '" + std::string(text) + "': expected bytes, like 8MiB");
  }
  // 17179869184GiB is 2^64 bytes: it would wrap to 0.
  if (static_cast<unsigned long long>(*n) >
      std::numeric_limits<size_t>::max() / static_cast<unsigned long long>(scale)) {
    return make_error(ErrorCode::InvalidArgument,
                      "invalid size '" + std::string(text) + "': too large");
  }
  return static_cast<size_t>(*n) * static_cast<size_t>(scale);
}

Result<std::vector<std::string>> parse_method_list(std::string_view text) {
  std::vector<std::string> out;
  while (true) {
    const size_t comma = text.find(',');
    std::string item(text.substr(0, comma));
    std::transform(item.begin(), item.end(), item.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (item.empty() || !std::all_of(item.begin(), item.end(), [](unsigned char c) {
          return std::isalpha(c) != 0;
        })) {
      return make_error(ErrorCode::InvalidArgument,
                        "invalid method list '" + std::string(text) + "': expected like POST,PATCH");
    }
    out.push_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string check_header_name(const std::string& value) {
  if (is_header_name(value)) return "";
  return "invalid header name '" + value +
         "': expected an RFC 9110 token (letters, digits, !#$%&'*+-.^_`|~), like Idempotency-Key";
}

Result<Millis> duration_flag(std::string_view flag, std::string_view text, Millis at_least) {
  auto d = parse_duration(text);
  if (!d) return flag_error(flag, d.error());
  if (*d < at_least) {
    return make_error(ErrorCode::InvalidArgument,
                      std::string(flag) + ": invalid duration '" + std::string(text) +
                          "': expected at least " + format_duration(at_least) + ", like 250ms");
  }
  return *d;
}

Result<size_t> size_flag(std::string_view flag, std::string_view text, size_t at_least) {
  auto n = parse_byte_size(text);
  if (!n) return flag_error(flag, n.error());
  if (*n < at_least) {
    return make_error(ErrorCode::InvalidArgument,
                      std::string(flag) + ": invalid size '" + std::string(text) +
                          "': expected at least " + std::to_string(at_least) +
                          (at_least == 1 ? " byte" : " bytes") + ", like 8MiB");
  }
  return *n;
}

Result<void> readable_file(std::string_view flag, const std::string& path) {
  if (path.empty()) return {};
  std::ifstream in(path);
  if (!in || std::filesystem::is_directory(path)) {
    const std::string why = !in ? std::strerror(errno) : "a directory";
    return make_error(ErrorCode::InvalidArgument,
                      std::string(flag) + ": cannot read '" + path + "' (" + why + ")");
  }
  return {};
}

Error flag_error(std::string_view flag, const Error& error) {
  return Error{error.code, std::string(flag) + ": " + error.message};
}

bool use_color() {
  // https://no-color.org: NO_COLOR present and not empty turns colour off; empty is unset.
  const char* no_color = std::getenv("NO_COLOR");
  return isatty(STDOUT_FILENO) == 1 && (no_color == nullptr || *no_color == '\0');
}

}  // namespace idem::cli
