#include "idem/clock.hpp"

namespace idem {

const Clock& system_clock() {
  static const SteadyClock clock;
  return clock;
}

}  // namespace idem
