#include "idem/store/store_factory.hpp"

#include <string>

#include "idem/store/memory_store.hpp"
#include "idem/store/redis_store.hpp"

namespace idem {

Result<std::unique_ptr<Store>> open_store(std::string_view url, const StoreOptions& options) {
  if (url == "memory" || url == "memory://") {
    return std::unique_ptr<Store>(std::make_unique<MemoryStore>());
  }
  if (url.starts_with("redis://") || url.starts_with("rediss://")) {
    auto redis = RedisStore::open(url, options);
    if (!redis) return redis.error();
    return std::unique_ptr<Store>(std::move(redis).value());
  }
  return make_error(ErrorCode::InvalidArgument,
                    "unknown store '" + std::string(url) +
                        "': expected memory or redis://[user:password@]host[:port][/db]");
}

}  // namespace idem
