#include "idem/result.hpp"

namespace idem {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument: return "invalid argument";
    case ErrorCode::Conflict: return "conflict";
    case ErrorCode::Unavailable: return "unavailable";
    case ErrorCode::Timeout: return "timeout";
    case ErrorCode::Internal: return "internal";
  }
  return "internal";
}

}  // namespace idem
