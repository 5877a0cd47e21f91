// Rendering of a target's request templates: the body template's {{n}} and {{uuid}}
// placeholders, and the executions URL's {{key}}. Shared by verify and stress. Pure functions,
// safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace idem {

/// Replaces every occurrence of `from` in `s` by `to`.
void replace_all(std::string& s, std::string_view from, std::string_view to);

/// `body_template` with {{n}} replaced by `n` and every {{uuid}} by one fresh UUID v4 (the same
/// one for all occurrences, so one rendering describes one logical operation).
std::string render_body(std::string_view body_template, long long n);

/// `url_template` with {{key}} replaced by the percent-encoded `key`. A relative template
/// ("/__idem/executions?key={{key}}") is resolved against `base_url`.
std::string render_executions_url(std::string_view url_template, std::string_view base_url,
                                  std::string_view key);

}  // namespace idem
