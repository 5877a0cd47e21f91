#include "idem/target/render.hpp"

#include "idem/http.hpp"
#include "idem/key.hpp"

namespace idem {

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

std::string render_body(std::string_view body_template, long long n) {
  std::string out(body_template);
  replace_all(out, "{{n}}", std::to_string(n));
  if (out.find("{{uuid}}") != std::string::npos) replace_all(out, "{{uuid}}", new_uuid4());
  return out;
}

std::string render_executions_url(std::string_view url_template, std::string_view base_url,
                                  std::string_view key) {
  std::string path(url_template);
  replace_all(path, "{{key}}", percent_encode(key));
  return path.starts_with("http") ? path : std::string(base_url) + path;
}

}  // namespace idem
