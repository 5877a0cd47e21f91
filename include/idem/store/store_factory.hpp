// Opens the Store named by a `--store` URL. Thread-safe (no shared state).
#pragma once

#include <memory>
#include <string_view>

#include "idem/store/memory_store.hpp"
#include "idem/store/store.hpp"

namespace idem {

struct StoreOptions {
  Millis redis_timeout{250};  ///< connect and command timeout for network stores
  std::string redis_prefix = "idem:";
  size_t redis_pool_size = 16;
  Millis wait_for_store{0};         ///< how long start-up waits for the store to answer
  MemoryStoreLimits memory_limits;  ///< the memory store's bound (Redis has maxmemory instead)
};

/// The memory store's default byte bound: a quarter of physical memory, so a flood of fresh
/// keys is refused (503 store-full) long before the machine swaps.
size_t default_max_store_bytes();

/// "memory" opens a MemoryStore. InvalidArgument for a malformed or unknown URL (the message
/// names what is wrong); Unavailable when the backend does not answer in time.
Result<std::unique_ptr<Store>> open_store(std::string_view url, const StoreOptions& options);

}  // namespace idem
