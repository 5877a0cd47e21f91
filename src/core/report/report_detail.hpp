// Pieces the three report writers share: safe display of arbitrary bytes, body abbreviation,
// durations, and the expanded text block of a failed check. Pure functions.
#pragma once

#include <chrono>
#include <ostream>
#include <string>
#include <string_view>

#include "idem/report/report.hpp"

namespace idem::report {

/// Bodies longer than this are cut in text and JUnit output (~500 bytes, as a terminal shows).
inline constexpr size_t kShownBodyBytes = 500;
/// curl commands longer than this (a multi-MiB request body) are not printed in text and JUnit.
inline constexpr size_t kShownCurlBytes = 4096;

/// `s` with invalid UTF-8 sequences replaced by U+FFFD, so it can go into JSON or XML.
std::string valid_utf8(std::string_view s);

/// The largest prefix length <= `limit` that does not split a UTF-8 sequence.
size_t utf8_prefix(std::string_view s, size_t limit);

/// `s` on one line: CR, LF and TAB as \r \n \t, other control bytes as \xHH, invalid UTF-8
/// replaced; a backslash stays as it is.
std::string one_line(std::string_view s);

/// The first `limit` bytes of `body` (cut on a UTF-8 boundary) on one line, plus
/// " ... (N bytes)" when cut. "(empty)" for an empty body.
std::string abbreviated_body(std::string_view body, size_t limit = kShownBodyBytes);

/// "4.2s" style: seconds with `decimals` digits.
std::string seconds(std::chrono::milliseconds d, int decimals);

/// The expanded evidence of a check: expected, then each exchange (request line, headers,
/// body; status, headers, body; curl), every line prefixed with `indent`.
void write_evidence(std::ostream& out, const CheckResult& check, std::string_view indent);

}  // namespace idem::report
