// Randomness for everything an attacker must not guess: owner tokens, generated keys and ids.
// Bytes come from the OS CSPRNG (getrandom(2); OpenSSL's RAND_bytes if that is unavailable),
// never from a seeded PRNG. Safe from any thread.
#pragma once

#include <cstddef>
#include <span>
#include <string>

namespace idem {

/// Fills `out` with cryptographically secure random bytes. Never fails: if the OS cannot supply
/// randomness the process aborts, since a predictable token would break the lock's guarantee.
void random_bytes(std::span<std::byte> out);

/// `bytes` random bytes as 2 * bytes lowercase hex characters.
std::string random_hex(size_t bytes);

/// A random RFC 9562 UUID version 4, canonical lowercase 8-4-4-4-12 form.
std::string random_uuid4();

}  // namespace idem
