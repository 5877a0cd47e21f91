#include "idem/http.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace idem {

bool is_header_name(std::string_view name) {
  // RFC 9110 §5.6.2 tchar.
  const auto tchar = [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= '0' && c <= '9') return true;
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(ch) != std::string_view::npos;
  };
  return !name.empty() && std::all_of(name.begin(), name.end(), tchar);
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<std::string> find_header(const HeaderList& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return v;
  }
  return std::nullopt;
}

std::vector<std::string> header_values(const HeaderList& headers, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) out.push_back(v);
  }
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

HttpResponse make_problem(int status, std::string_view slug, std::string_view title,
                          std::string_view detail) {
  const nlohmann::json body = {{"type", "/problems/" + std::string(slug)},
                               {"title", title},
                               {"status", status},
                               {"detail", detail}};
  // The detail may carry outside bytes (a decoded path, a key): invalid UTF-8 is replaced, since
  // a throwing dump() here would take the server down.
  return HttpResponse{status,
                      {{"Content-Type", "application/problem+json"}},
                      body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

}  // namespace idem
