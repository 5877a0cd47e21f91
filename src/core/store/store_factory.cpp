#include "idem/store/store_factory.hpp"

#include <string>

#include "idem/store/memory_store.hpp"

namespace idem {

Result<std::unique_ptr<Store>> open_store(std::string_view url, const StoreOptions& /*options*/) {
  if (url == "memory" || url == "memory://") {
    return std::unique_ptr<Store>(std::make_unique<MemoryStore>());
  }
  return make_error(ErrorCode::InvalidArgument,
                    "unknown store '" + std::string(url) + "': expected memory");
}

}  // namespace idem
