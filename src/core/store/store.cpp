#include "idem/store/store.hpp"

#include <algorithm>
#include <thread>

#include "idem/random.hpp"

namespace idem {

void Store::await_settled(const std::string&, Millis timeout) {
  std::this_thread::sleep_for(std::min(timeout, kSettlePollInterval));
}

OwnerToken new_owner_token() { return random_hex(kOwnerTokenBytes); }

}  // namespace idem
