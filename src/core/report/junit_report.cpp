// JUnit XML for CI: one <testsuite>, one <testcase> per check. FAIL -> <failure>, SKIP ->
// <skipped>, WARN -> a passing testcase whose <system-out> says why.
#include <cstdio>
#include <ostream>
#include <sstream>

#include "idem/report/report.hpp"
#include "report_detail.hpp"

namespace idem {
namespace {

/// Escapes `s` for XML 1.0 text or a double-quoted attribute. XML 1.0 cannot carry most control
/// characters even as references, so those are shown as \xHH; invalid UTF-8 and the
/// non-characters U+FFFE/U+FFFF become U+FFFD.
std::string xml(std::string_view s, bool attribute = false) {
  const std::string text = report::valid_utf8(s);
  std::string out;
  out.reserve(text.size());
  char hex[8];
  for (size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&':
        out += "&amp;";
        continue;
      case '<':
        out += "&lt;";
        continue;
      case '>':
        out += "&gt;";
        continue;
      case '"':
        out += "&quot;";
        continue;
      case '\'':
        out += "&apos;";
        continue;
      // In attributes these would be normalised to spaces by the parser.
      case '\n':
        out += attribute ? "&#10;" : "\n";
        continue;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        continue;
      case '\r':
        out += "&#13;";
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == 0x7f) {
      std::snprintf(hex, sizeof(hex), "\\x%02x", c);
      out += hex;
    } else if (c == 0xEF && i + 2 < text.size() && text[i + 1] == '\xBF' &&
               (text[i + 2] == '\xBE' || text[i + 2] == '\xBF')) {
      out += "\xEF\xBF\xBD";
      i += 2;
    } else {
      out += ch;
    }
  }
  return out;
}

std::string evidence(const CheckResult& c) {
  std::ostringstream text;
  if (!c.reason.empty()) text << report::one_line(c.reason) << '\n';
  report::write_evidence(text, c, "");
  return text.str();
}

}  // namespace

void write_junit_report(const Report& report, std::ostream& out) {
  const std::string counts = "tests=\"" + std::to_string(report.checks.size()) + "\" failures=\"" +
                             std::to_string(report.count(Verdict::Fail)) +
                             "\" errors=\"" + std::to_string(report.count(Verdict::Error)) +
                             "\" skipped=\"" +
                             std::to_string(report.count(Verdict::Skip)) + "\"";
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuite name=\"idemctl verify\" " << counts << " time=\""
      << report::seconds(report.duration, 3) << "\">\n";
  out << "  <properties>\n";
  out << "    <property name=\"tool_version\" value=\"" << xml(report.tool_version, true)
      << "\"/>\n";
  out << "    <property name=\"profile\" value=\"" << xml(report.profile, true) << "\"/>\n";
  for (const std::string& t : report.targets) {
    out << "    <property name=\"target\" value=\"" << xml(t, true) << "\"/>\n";
  }
  for (const std::string& h : report.hints) {
    out << "    <property name=\"hint\" value=\"" << xml(h, true) << "\"/>\n";
  }
  out << "  </properties>\n";
  for (const CheckResult& c : report.checks) {
    out << "  <testcase classname=\"idemctl.verify\" name=\"" << xml(c.id, true) << "\" time=\""
        << report::seconds(c.duration, 3) << "\"";
    const std::string message = xml(c.reason.empty() ? c.title : c.reason, true);
    switch (c.verdict) {
      case Verdict::Pass:
        out << "/>\n";
        break;
      case Verdict::Fail:
        out << ">\n    <failure message=\"" << message << "\" type=\"" << to_string(c.level)
            << "\">" << xml(c.title + "\n" + evidence(c)) << "</failure>\n  </testcase>\n";
        break;
      case Verdict::Error:
        // JUnit's <error>: the test could not run to its verdict (not an assertion failure).
        out << ">\n    <error message=\"" << message << "\" type=\"" << to_string(c.level)
            << "\">" << xml(c.title + "\n" + evidence(c)) << "</error>\n  </testcase>\n";
        break;
      case Verdict::Skip:
        out << ">\n    <skipped message=\"" << message << "\"/>\n  </testcase>\n";
        break;
      case Verdict::Warn:
        out << ">\n    <system-out>" << xml("WARN " + c.title + ": " + evidence(c))
            << "</system-out>\n  </testcase>\n";
        break;
    }
  }
  out << "</testsuite>\n";
}

}  // namespace idem
