#include "idem/store/store.hpp"

#include "idem/random.hpp"

namespace idem {

OwnerToken new_owner_token() { return random_hex(kOwnerTokenBytes); }

}  // namespace idem
