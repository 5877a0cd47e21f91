// The reference server describes itself: the OpenAPI 3.0 document served at GET /openapi.json,
// generated from the guard it really runs (which methods carry the key header, its name and
// format, the mismatch status), with request examples. Pure, safe from any thread.
#pragma once

#include <string>

#include "idem/guard.hpp"

namespace idem {

/// The document for a server guarded by `guard` at `base_url` (its only `servers` entry).
std::string reference_openapi_document(const GuardConfig& guard, const std::string& base_url);

}  // namespace idem
