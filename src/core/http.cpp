#include "idem/http.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace idem {

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

HttpResponse make_problem(int status, std::string_view slug, std::string_view title,
                          std::string_view detail) {
  const nlohmann::json body = {{"type", "/problems/" + std::string(slug)},
                               {"title", title},
                               {"status", status},
                               {"detail", detail}};
  return HttpResponse{status, {{"Content-Type", "application/problem+json"}}, body.dump()};
}

}  // namespace idem
