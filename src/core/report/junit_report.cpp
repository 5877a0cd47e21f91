// JUnit XML for CI: one <testsuite> per endpoint (inside <testsuites> when there are several),
// one <testcase> per check. FAIL -> <failure>, SKIP ->
// <skipped>, WARN -> a passing testcase whose <system-out> says why.
#include <cstdio>
#include <ostream>
#include <sstream>
#include <vector>

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

namespace {

int count_of(const std::vector<const CheckResult*>& checks, Verdict v) {
  int n = 0;
  for (const CheckResult* c : checks) n += c->verdict == v ? 1 : 0;
  return n;
}

std::string counts_of(const std::vector<const CheckResult*>& checks) {
  return "tests=\"" + std::to_string(checks.size()) + "\" failures=\"" +
         std::to_string(count_of(checks, Verdict::Fail)) + "\" errors=\"" +
         std::to_string(count_of(checks, Verdict::Error)) + "\" skipped=\"" +
         std::to_string(count_of(checks, Verdict::Skip)) + "\"";
}

std::chrono::milliseconds time_of(const std::vector<const CheckResult*>& checks) {
  std::chrono::milliseconds sum{0};
  for (const CheckResult* c : checks) sum += c->duration;
  return sum;
}

// One <testsuite>: `name`, the run's properties, and a testcase per check. `classname` keeps
// testcases of different endpoints apart in CI views that key on classname + name.
void write_suite(const Report& report, const std::string& name, const std::string& endpoint,
                 const std::vector<const CheckResult*>& checks, std::chrono::milliseconds time,
                 const std::string& classname, std::string_view indent, std::ostream& out) {
  out << indent << "<testsuite name=\"" << xml(name, true) << "\" " << counts_of(checks)
      << " time=\"" << report::seconds(time, 3) << "\">\n";
  out << indent << "  <properties>\n";
  out << indent << "    <property name=\"tool_version\" value=\"" << xml(report.tool_version, true)
      << "\"/>\n";
  out << indent << "    <property name=\"profile\" value=\"" << xml(report.profile, true)
      << "\"/>\n";
  if (!endpoint.empty()) {
    out << indent << "    <property name=\"endpoint\" value=\"" << xml(endpoint, true)
        << "\"/>\n";
  }
  for (const std::string& t : report.targets) {
    out << indent << "    <property name=\"target\" value=\"" << xml(t, true) << "\"/>\n";
  }
  for (const std::string& h : report.hints) {
    out << indent << "    <property name=\"hint\" value=\"" << xml(h, true) << "\"/>\n";
  }
  out << indent << "  </properties>\n";
  for (const CheckResult* cp : checks) {
    const CheckResult& c = *cp;
    out << indent << "  <testcase classname=\"" << xml(classname, true) << "\" name=\""
        << xml(c.id, true) << "\" time=\"" << report::seconds(c.duration, 3) << "\"";
    const std::string message = xml(c.reason.empty() ? c.title : c.reason, true);
    switch (c.verdict) {
      case Verdict::Pass:
        out << "/>\n";
        break;
      case Verdict::Fail:
        out << ">\n" << indent << "    <failure message=\"" << message << "\" type=\""
            << to_string(c.level) << "\">" << xml(c.title + "\n" + evidence(c))
            << "</failure>\n" << indent << "  </testcase>\n";
        break;
      case Verdict::Error:
        // JUnit's <error>: the test could not run to its verdict (not an assertion failure).
        out << ">\n" << indent << "    <error message=\"" << message << "\" type=\""
            << to_string(c.level) << "\">" << xml(c.title + "\n" + evidence(c)) << "</error>\n"
            << indent << "  </testcase>\n";
        break;
      case Verdict::Skip:
        out << ">\n" << indent << "    <skipped message=\"" << message << "\"/>\n" << indent
            << "  </testcase>\n";
        break;
      case Verdict::Warn:
        out << ">\n" << indent << "    <system-out>" << xml("WARN " + c.title + ": " + evidence(c))
            << "</system-out>\n" << indent << "  </testcase>\n";
        break;
    }
  }
  out << indent << "</testsuite>\n";
}

}  // namespace

void write_junit_report(const Report& report, std::ostream& out) {
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  std::vector<const CheckResult*> all;
  for (const CheckResult& c : report.checks) all.push_back(&c);
  if (report.endpoints.size() <= 1) {
    const std::string endpoint = report.endpoints.empty() ? "" : report.endpoints.front();
    write_suite(report, "idemctl verify", endpoint, all, report.duration, "idemctl.verify", "",
                out);
    return;
  }
  // Several endpoints: one testsuite each, so CI shows a verdict per endpoint.
  out << "<testsuites name=\"idemctl verify\" " << counts_of(all) << " time=\""
      << report::seconds(report.duration, 3) << "\">\n";
  for (const std::string& endpoint : report.endpoints) {
    const std::vector<const CheckResult*> checks = report.checks_of(endpoint);
    write_suite(report, "idemctl verify " + endpoint, endpoint, checks, time_of(checks),
                "idemctl.verify." + endpoint, "  ", out);
  }
  out << "</testsuites>\n";
}

}  // namespace idem
