// to_curl_command(): a one-line shell command that reproduces a request, for failure reports.
#include <cstdio>

#include "idem/client/http_client.hpp"

namespace idem {
namespace {

bool is_control(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  return c < 0x20 || c == 0x7f;
}

bool has_control(std::string_view s) {
  for (const char ch : s) {
    if (is_control(ch)) return true;
  }
  return false;
}

/// POSIX single quotes: nothing inside is special; a quote is written as '\''.
std::string single_quoted(std::string_view s) {
  std::string out = "'";
  for (const char ch : s) {
    if (ch == '\'') {
      out += "'\\''";
    } else {
      out += ch;
    }
  }
  out += '\'';
  return out;
}

/// bash's $'...' with \xHH for control bytes, so the command stays on one line. No NUL: an
/// argument cannot carry one anyway.
std::string ansi_c_quoted(std::string_view s) {
  std::string out = "$'";
  char hex[8];
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '\\' || ch == '\'') {
      out += '\\';
      out += ch;
    } else if (is_control(ch)) {
      std::snprintf(hex, sizeof(hex), "\\x%02x", c);
      out += hex;
    } else {
      out += ch;
    }
  }
  out += '\'';
  return out;
}

std::string quoted(std::string_view s) {
  return has_control(s) ? ansi_c_quoted(s) : single_quoted(s);
}

/// A printf format that prints exactly `body` (NUL and newlines included) as octal escapes.
std::string printf_format(std::string_view body) {
  std::string out;
  char oct[8];
  for (const char ch : body) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '%') {
      out += "%%";
    } else if (ch == '\\' || ch == '\'' || is_control(ch)) {
      std::snprintf(oct, sizeof(oct), "\\%03o", c);
      out += oct;
    } else {
      out += ch;
    }
  }
  return "'" + out + "'";
}

}  // namespace

std::string to_curl_command(const ClientRequest& request) {
  // A body that a shell argument cannot hold byte-exactly (NUL, CR, LF...) is piped in, and so
  // is one starting with '@', which --data-binary would take for a file name.
  const bool piped = has_control(request.body) || request.body.starts_with('@');
  std::string cmd = piped ? "printf " + printf_format(request.body) + " | curl" : "curl";
  cmd += " -sS -i";
  const std::string& method = request.method;
  const bool with_body = !request.body.empty() || iequals(method, "POST") ||
                         iequals(method, "PUT") || iequals(method, "PATCH");
  if (iequals(method, "HEAD")) {
    cmd += " --head";
  } else if (!(method == "GET" && !with_body) && !(method == "POST" && with_body)) {
    // curl infers GET, and POST from --data-binary; anything else is named.
    cmd += " -X " + quoted(method);
  }
  // The reproduction trusts the server as the request did (file names only, never their text).
  if (request.url.starts_with("https://")) {
    const TlsClientOptions& tls = request.tls;
    if (!tls.ca_file.empty()) cmd += " --cacert " + quoted(tls.ca_file);
    if (tls.insecure) cmd += " --insecure";
    if (!tls.cert_file.empty()) cmd += " --cert " + quoted(tls.cert_file);
    if (!tls.key_file.empty()) cmd += " --key " + quoted(tls.key_file);
  }
  cmd += " " + quoted(request.url);
  for (const auto& [name, value] : request.headers) {
    // "Name;" is curl's spelling of a header with an empty value ("Name:" would remove it).
    cmd += " -H " + quoted(value.empty() ? name + ";" : name + ": " + value);
  }
  if (with_body) {
    // HttpClient sends no default form Content-Type; neither should the reproduction.
    if (!find_header(request.headers, "Content-Type")) cmd += " -H 'Content-Type:'";
    cmd += " --data-binary " + (piped ? std::string("@-") : single_quoted(request.body));
  }
  return cmd;
}

}  // namespace idem
