#include "idem/store/store.hpp"

#include <cstdint>
#include <random>

namespace idem {

OwnerToken new_owner_token() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int half = 0; half < 2; ++half) {
    std::uint64_t word = rng();
    for (int i = 0; i < 16; ++i, word >>= 4) out[static_cast<size_t>(half * 16 + i)] = kHex[word & 0xf];
  }
  return out;
}

}  // namespace idem
