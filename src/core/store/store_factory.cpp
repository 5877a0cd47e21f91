#include "idem/store/store_factory.hpp"

#include <unistd.h>

#include <string>

#include "idem/store/memory_store.hpp"
#include "idem/store/redis_store.hpp"

namespace idem {

size_t default_max_store_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return kUnlimitedRecords;
  return static_cast<size_t>(pages) / 4 * static_cast<size_t>(page_size);
}

Result<std::unique_ptr<Store>> open_store(std::string_view url, const StoreOptions& options) {
  if (url == "memory" || url == "memory://") {
    return std::unique_ptr<Store>(
        std::make_unique<MemoryStore>(system_clock(), options.memory_limits));
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
