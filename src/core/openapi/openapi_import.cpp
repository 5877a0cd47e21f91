#include "idem/openapi/openapi_import.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "idem/http.hpp"
#include "json_text.hpp"
#include "openapi/openapi_error.hpp"
#include "openapi/schema_instance.hpp"
#include "openapi/yaml_document.hpp"

namespace idem {
namespace {

using openapi::DocumentError;
using openapi::Json;
using openapi::Uninstantiable;

constexpr const char* kMethods[] = {"get", "put", "post", "delete", "options", "head", "patch",
                                    "trace"};

std::string member(const std::string& path, const std::string& name) {
  return path + "[\"" + name + "\"]";
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

const Json& deref(const Json& root, const Json& value, const std::string& path) {
  const Json* v = &value;
  for (int hops = 0; v->is_object() && v->contains("$ref"); ++hops) {
    if (hops >= kMaxSchemaDepth) throw DocumentError(path, "a cycle of $refs");
    const Json& ref = v->at("$ref");
    if (!ref.is_string()) throw DocumentError(path + ".$ref", "expected a string");
    v = &openapi::resolve_ref(root, ref.get<std::string>(), path + ".$ref");
  }
  return *v;
}

struct Parameter {
  std::string name, in, path;
  bool required = false;
  const Json* json = nullptr;
};

// Path-item parameters overlaid by the operation's (OpenAPI 3.0 §4.7.10: same name and
// location override).
std::vector<Parameter> parameters_of(const Json& root, const Json& item, const Json& op,
                                     const std::string& item_path, const std::string& op_path) {
  std::vector<Parameter> out;
  for (const auto& [owner, where] : {std::pair{&item, item_path}, std::pair{&op, op_path}}) {
    auto list = owner->find("parameters");
    if (list == owner->end()) continue;
    if (!list->is_array()) throw DocumentError(where + ".parameters", "expected an array");
    for (size_t i = 0; i < list->size(); ++i) {
      const std::string p = where + ".parameters[" + std::to_string(i) + "]";
      const Json& param = deref(root, list->at(i), p);
      if (!param.is_object() || !param.contains("name") || !param.at("name").is_string() ||
          !param.contains("in") || !param.at("in").is_string()) {
        throw DocumentError(p, "expected a parameter object with 'name' and 'in'");
      }
      Parameter x{param.at("name").get<std::string>(), param.at("in").get<std::string>(), p,
                  param.value("required", false), &param};
      std::erase_if(out, [&](const Parameter& y) {
        return y.in == x.in && (x.in == "header" ? iequals(y.name, x.name) : y.name == x.name);
      });
      out.push_back(std::move(x));
    }
  }
  return out;
}

// A parameter's value from the document: example, the first of examples, or its schema's
// example, default or first enum value.
std::optional<std::string> example_value(const Json& root, const Parameter& p) {
  const Json& param = *p.json;
  const Json* value = nullptr;
  if (param.contains("example")) value = &param.at("example");
  if (!value && param.contains("examples") && param.at("examples").is_object()) {
    for (const auto& [name, ex] : param.at("examples").items()) {
      const Json& e = deref(root, ex, member(p.path + ".examples", name));
      if (e.is_object() && e.contains("value")) {
        value = &e.at("value");
        break;
      }
    }
  }
  if (!value && param.contains("schema")) {
    const Json& schema = deref(root, param.at("schema"), p.path + ".schema");
    for (const char* k : {"example", "default"}) {
      if (!value && schema.is_object() && schema.contains(k)) value = &schema.at(k);
    }
    if (!value && schema.is_object() && schema.contains("enum") && schema.at("enum").is_array() &&
        !schema.at("enum").empty()) {
      value = &schema.at("enum").front();
    }
  }
  if (!value) return std::nullopt;
  return value->is_string() ? value->get<std::string>() : value->dump();
}

// The request body's JSON media type, or nullptr when it has none (the reason in `why`).
const Json* json_media(const Json& content, std::string& media_type, std::string& why) {
  for (const auto& [type, media] : content.items()) {
    const std::string base = type.substr(0, type.find(';'));
    if (base == "application/json" || base.ends_with("+json")) {
      media_type = type;
      return &media;
    }
  }
  std::string types;
  for (const auto& [type, media] : content.items()) types += (types.empty() ? "" : ", ") + type;
  why = "the request body is " + (types.empty() ? std::string("declared without content") : types) +
        "; verify sends JSON bodies only (application/json or +json)";
  return nullptr;
}

struct Importer {
  const Json& root;
  const OpenApiOptions& options;
  OpenApiImport out;

  std::optional<std::string> param_flag(const std::string& name) const {
    for (const auto& [k, v] : options.params) {
      if (k == name) return v;
    }
    return std::nullopt;
  }

  bool selected(const Json& op, const std::vector<Parameter>& params,
                const std::string& method) const {
    if (auto x = op.find("x-idempotent"); x != op.end() && x->is_boolean()) return x->get<bool>();
    const bool declares_key = std::any_of(params.begin(), params.end(), [&](const Parameter& p) {
      return p.in == "header" && iequals(p.name, options.key_header);
    });
    return declares_key || (options.all_writes && (method == "post" || method == "patch"));
  }

  std::string body_of(const Json& op, const std::string& op_path, Endpoint& e) {
    auto rb = op.find("requestBody");
    if (rb == op.end()) return "";
    const Json& body = deref(root, *rb, op_path + ".requestBody");
    const std::string body_path = op_path + ".requestBody";
    if (!body.is_object() || !body.contains("content") || !body.at("content").is_object()) {
      throw DocumentError(body_path, "expected a request body object with 'content'");
    }
    std::string media_type, why;
    const Json* media = json_media(body.at("content"), media_type, why);
    if (!media) throw Uninstantiable(why);
    const std::string media_path = member(body_path + ".content", media_type);
    e.headers.emplace_back("Content-Type", media_type);
    const Json empty = Json::object();
    const Json& schema =
        media->contains("schema") ? deref(root, media->at("schema"), media_path + ".schema") : empty;
    std::optional<Json> example;
    if (media->contains("example")) example = media->at("example");
    if (!example && media->contains("examples") && media->at("examples").is_object()) {
      for (const auto& [name, ex] : media->at("examples").items()) {
        const Json& x = deref(root, ex, member(media_path + ".examples", name));
        if (x.is_object() && x.contains("value")) {
          example = x.at("value");
          break;
        }
      }
    }
    if (example) {
      openapi::vary_example(root, schema, *example);
      return openapi::body_template(*example);
    }
    return openapi::body_template(
        openapi::schema_instance(root, schema, media_path + ".schema"));
  }

  void operation(const std::string& path, const Json& item, const std::string& method,
                 const std::string& item_path) {
    try {
      operation_of(path, item, method, item_path);
    } catch (const Json::exception& e) {
      throw DocumentError(item_path + "." + method, openapi::keyword_type_error(e));
    }
  }

  void operation_of(const std::string& path, const Json& item, const std::string& method,
                    const std::string& item_path) {
    const std::string op_path = item_path + "." + method;
    const Json& op = item.at(method);
    if (!op.is_object()) throw DocumentError(op_path, "expected an operation object");
    const std::vector<Parameter> params = parameters_of(root, item, op, item_path, op_path);
    const bool is_write = method == "post" || method == "patch";
    if (!selected(op, params, method)) {
      if (is_write) {
        out.skipped.push_back({upper(method), path,
                               "not guarded: no " + options.key_header +
                                   " header parameter and no x-idempotent: true "
                                   "(--openapi-all takes every POST and PATCH)"});
      }
      return;
    }
    Endpoint e;
    e.method = upper(method);
    e.where = op_path;
    try {
      std::string concrete = path;
      std::string query;
      for (const Parameter& p : params) {
        if (p.in == "header" && iequals(p.name, options.key_header)) continue;
        if (p.in == "path") {
          auto v = param_flag(p.name);
          if (!v) v = example_value(root, p);
          if (!v) {
            throw Uninstantiable("path parameter '" + p.name +
                                 "' has no example; give --param " + p.name + "=VALUE");
          }
          const std::string hole = "{" + p.name + "}";
          for (size_t at = concrete.find(hole); at != std::string::npos;
               at = concrete.find(hole)) {
            concrete.replace(at, hole.size(), percent_encode(*v));
          }
        } else if (p.required || param_flag(p.name)) {
          auto v = param_flag(p.name);
          if (!v) v = example_value(root, p);
          if (!v) {
            throw Uninstantiable("required " + p.in + " parameter '" + p.name +
                                 "' has no example; give --param " + p.name + "=VALUE");
          }
          if (p.in == "query") {
            query += (query.empty() ? "?" : "&") + percent_encode(p.name) + "=" +
                     percent_encode(*v);
          } else if (p.in == "header") {
            e.headers.emplace_back(p.name, *v);
          } else {
            throw Uninstantiable("required " + p.in + " parameter '" + p.name +
                                 "': verify sets path, query and header parameters only");
          }
        }
      }
      // A hole no parameter declares (a sloppy document) can still be filled by --param.
      for (const auto& [name, value] : options.params) {
        const std::string hole = "{" + name + "}";
        for (size_t at = concrete.find(hole); at != std::string::npos; at = concrete.find(hole)) {
          concrete.replace(at, hole.size(), percent_encode(value));
        }
      }
      if (const size_t open = concrete.find('{'); open != std::string::npos) {
        throw Uninstantiable("the path template names '" +
                             concrete.substr(open, concrete.find('}', open) - open + 1) +
                             "', which no path parameter declares; give --param NAME=VALUE");
      }
      e.path = concrete + query;
      e.body = body_of(op, op_path, e);
    } catch (const Uninstantiable& why) {
      out.skipped.push_back({upper(method), path, why.what()});
      return;
    }
    if (out.endpoints.size() >= kMaxOpenApiEndpoints) {
      throw DocumentError("$.paths", "expected at most " + std::to_string(kMaxOpenApiEndpoints) +
                                         " idempotent operations");
    }
    out.endpoints.push_back(std::move(e));
  }

  void run() {
    if (!root.is_object()) throw DocumentError("$", "expected an OpenAPI document (an object)");
    if (root.contains("swagger")) {
      throw DocumentError("$.swagger", "OpenAPI 2.0 (swagger) is not supported: expected "
                                       "'openapi: 3.x' (convert it, e.g. with swagger2openapi)");
    }
    auto version = root.find("openapi");
    if (version == root.end() || !version->is_string() ||
        !version->get_ref<const std::string&>().starts_with("3.")) {
      throw DocumentError("$.openapi", "expected an OpenAPI version '3.0.x' or '3.1.x'");
    }
    if (auto servers = root.find("servers"); servers != root.end()) {
      if (!servers->is_array()) throw DocumentError("$.servers", "expected an array");
      if (!servers->empty()) server_url(servers->front(), "$.servers[0]");
    }
    auto paths = root.find("paths");
    if (paths == root.end() || !paths->is_object()) {
      throw DocumentError("$.paths", "expected an object of paths");
    }
    for (const auto& [path, raw_item] : paths->items()) {
      const std::string item_path = member("$.paths", path);
      if (!path.starts_with("/")) throw DocumentError(item_path, "expected a path starting with /");
      const Json& item = deref(root, raw_item, item_path);
      if (!item.is_object()) throw DocumentError(item_path, "expected a path item object");
      for (const char* method : kMethods) {
        if (item.contains(method)) operation(path, item, method, item_path);
      }
    }
  }

  // servers[0].url with each {variable} at its default (OpenAPI 3.0 §4.7.5).
  void server_url(const Json& server, const std::string& path) {
    if (!server.is_object() || !server.contains("url") || !server.at("url").is_string()) {
      throw DocumentError(path, "expected a server object with a 'url'");
    }
    std::string url = server.at("url").get<std::string>();
    for (size_t open = url.find('{'); open != std::string::npos; open = url.find('{')) {
      const size_t close = url.find('}', open);
      if (close == std::string::npos) throw DocumentError(path + ".url", "expected '}' after '{'");
      const std::string name = url.substr(open + 1, close - open - 1);
      const Json* var = nullptr;
      if (server.contains("variables") && server.at("variables").is_object() &&
          server.at("variables").contains(name)) {
        var = &server.at("variables").at(name);
      }
      if (!var || !var->is_object() || !var->contains("default") ||
          !var->at("default").is_string()) {
        throw DocumentError(member(path + ".variables", name),
                            "expected a default for the server variable '" + name + "'");
      }
      url.replace(open, close - open + 1, var->at("default").get<std::string>());
    }
    while (url.size() > 1 && url.back() == '/') url.pop_back();
    if (url == "/") url.clear();
    out.server_url = url;
  }
};

bool looks_like_yaml(const std::string& text, const std::string& file) {
  if (file.ends_with(".yaml") || file.ends_with(".yml")) return true;
  if (file.ends_with(".json")) return false;
  const size_t first = text.find_first_not_of(" \t\r\n");
  return first == std::string::npos || text[first] != '{';
}

}  // namespace

Result<OpenApiImport> import_openapi(const std::string& text, const std::string& file,
                                     const OpenApiOptions& options) {
  Json doc;
  openapi::LineMap lines;
  if (looks_like_yaml(text, file)) {
    auto parsed = openapi::parse_yaml_document(text, file, lines);
    if (!parsed) return parsed.error();
    doc = std::move(*parsed);
  } else {
    // The bounded parser names the line and column of a syntax error; the ordered one keeps
    // the document's order (the order of endpoints and of examples).
    auto checked = parse_json_file_text(text, file);
    if (!checked) return checked.error();
    // Schemas and examples are walked recursively: the nesting is bounded before that.
    if (!json_depth_within(text, kMaxJsonDepth)) {
      return make_error(ErrorCode::InvalidArgument,
                        file + ": nested deeper than " + std::to_string(kMaxJsonDepth));
    }
    doc = Json::parse(text, nullptr, false);
  }
  Importer importer{doc, options, {}};
  try {
    importer.run();
  } catch (const DocumentError& e) {
    return make_error(ErrorCode::InvalidArgument,
                      file + ": " + e.path() + openapi::line_of(lines, e.path()) + ": " + e.what());
  } catch (const Json::exception& e) {
    // A keyword of the wrong type (minItems: "two"); nlohmann says which.
    return make_error(ErrorCode::InvalidArgument, file + ": not a valid OpenAPI document: " +
                                                      std::string(e.what()));
  }
  return std::move(importer.out);
}

Result<OpenApiImport> load_openapi(const std::string& file, const OpenApiOptions& options) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(ErrorCode::InvalidArgument, file + ": cannot be read");
  std::stringstream ss;
  ss << in.rdbuf();
  return import_openapi(ss.str(), file, options);
}

}  // namespace idem
