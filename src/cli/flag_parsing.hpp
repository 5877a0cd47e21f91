// Parsers for flag values shared by the subcommands. Each returns InvalidArgument with a message
// that names the flag, so the CLI can print it as the one error line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "idem/clock.hpp"
#include "idem/result.hpp"

namespace idem::cli {

struct HostPort {
  std::string host;
  int port = 0;
};

/// "127.0.0.1:8080", "[::1]:8080", "localhost:8080", ":8080" (loopback) or "8080". A host that
/// cannot exist (999.0.0.1, an IPv6 address without brackets) or a port over 65535 is an error.
Result<HostPort> parse_listen_address(std::string_view text);

/// "1048576", "512KiB", "8MiB", "1GiB" (K/M/G accepted as the binary units too).
Result<size_t> parse_byte_size(std::string_view text);

/// The one reader of every duration flag. Errors, all "FLAG: invalid duration 'TEXT': expected
/// ...": a number with a unit (also for values too large to represent), or at least `at_least`.
Result<Millis> duration_flag(std::string_view flag, std::string_view text,
                             Millis at_least = Millis{0});

/// The one reader of every size flag. Errors, all "FLAG: invalid size 'TEXT': ...": bytes with
/// an optional unit, too large (2^64 bytes and more), or at least `at_least` bytes.
Result<size_t> size_flag(std::string_view flag, std::string_view text, size_t at_least = 0);

/// "POST,PATCH" -> {"POST", "PATCH"}, upper-cased, empty items rejected.
Result<std::vector<std::string>> parse_method_list(std::string_view text);

/// A CLI11 check for a header-name flag (--key-header): "" for an RFC 9110 token, else what is
/// wrong. An empty value is wrong too (it would otherwise read as "not given").
std::string check_header_name(const std::string& value);

/// "" or a file that can be opened for reading; else InvalidArgument "FLAG: cannot read 'PATH'
/// (why)". Checked before use, so a typo is exit 2 naming the flag, not a TLS error later.
Result<void> readable_file(std::string_view flag, const std::string& path);

/// Prefixes an error with the flag it came from: "--ttl: invalid duration ...".
Error flag_error(std::string_view flag, const Error& error);

/// True when stdout is a terminal and NO_COLOR is unset or empty (https://no-color.org).
bool use_color();

}  // namespace idem::cli
