// verify's names for the shared target description (idem/target/target_spec.hpp), which verify
// and stress both use. Plain values.
#pragma once

#include "idem/target/target_spec.hpp"

namespace idem::verify {

using idem::CountMode;
using idem::load_target_config;
using idem::parse_target_config;
using idem::reference_target;
using idem::TargetSpec;
using idem::Trigger;

}  // namespace idem::verify
