#include "verify_endpoints.hpp"

namespace idem::cli {

Result<EndpointSource> load_endpoint_source(const VerifyFlags& f, const std::string& key_header) {
  EndpointSource source;
  if (f.openapi.empty()) {
    if (f.openapi_all || !f.params.empty()) {
      return make_error(ErrorCode::InvalidArgument,
                        std::string(f.openapi_all ? "--openapi-all" : "--param") +
                            ": needs --openapi FILE");
    }
    return source;
  }
  OpenApiOptions options;
  options.key_header = key_header;
  options.all_writes = f.openapi_all;
  for (const std::string& p : f.params) {
    const size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      return make_error(ErrorCode::InvalidArgument,
                        "--param: invalid '" + p + "': expected NAME=VALUE");
    }
    options.params.emplace_back(p.substr(0, eq), p.substr(eq + 1));
  }
  auto imported = load_openapi(f.openapi, options);
  if (!imported) return imported.error();
  source.endpoints = std::move(imported->endpoints);
  source.skipped = std::move(imported->skipped);
  const std::string& url = imported->server_url;
  if (url.starts_with("http://") || url.starts_with("https://")) {
    source.server_url = url;
  } else if (!url.empty()) {
    source.path_prefix = url.starts_with("/") ? url : "/" + url;
  }
  if (source.endpoints.empty()) {
    std::string why = f.openapi + ": no operation to verify: none declares the " + key_header +
                      " header parameter or x-idempotent: true" +
                      (f.openapi_all ? "" : " (--openapi-all takes every POST and PATCH)");
    for (const std::string& line : skipped_lines(source)) why += "; " + line;
    return make_error(ErrorCode::InvalidArgument, why);
  }
  for (Endpoint& e : source.endpoints) e.path = source.path_prefix + e.path;
  return source;
}

Result<std::vector<TargetSpec>> plan_endpoints(const VerifyFlags& f, const TargetSpec& target,
                                               const EndpointSource& source) {
  if (!source.endpoints.empty() && !target.endpoints.empty()) {
    return make_error(ErrorCode::InvalidArgument,
                      "--openapi: the --config already lists \"endpoints\"; give one of them");
  }
  const std::vector<Endpoint>& endpoints =
      source.endpoints.empty() ? target.endpoints : source.endpoints;
  if (!endpoints.empty()) {
    for (const auto& [flag, value] :
         {std::pair{"--method", &f.method}, std::pair{"--path", &f.path},
          std::pair{"--body", &f.body}}) {
      if (!value->empty()) {
        return make_error(ErrorCode::InvalidArgument,
                          std::string(flag) + ": the endpoints come from " +
                              (source.endpoints.empty() ? f.config + " ($.endpoints)"
                                                        : f.openapi) +
                              "; set it per endpoint there");
      }
    }
  }
  return expand_endpoints(target, endpoints);
}

std::vector<std::string> skipped_lines(const EndpointSource& source) {
  std::vector<std::string> out;
  for (const SkippedOperation& s : source.skipped) {
    out.push_back("not verified: " + s.method + " " + source.path_prefix + s.path + ": " +
                  s.reason);
  }
  return out;
}

}  // namespace idem::cli
