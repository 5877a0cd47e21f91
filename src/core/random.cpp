#include "idem/random.hpp"

#include <openssl/rand.h>
#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace idem {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Reads come in small pieces (16 bytes per token) on every guarded request; one getrandom call
// per kPoolBytes per thread keeps the syscall off the hot path. The pool is per thread, so no
// two threads ever hand out the same bytes.
constexpr size_t kPoolBytes = 512;

[[noreturn]] void no_randomness() {
  std::fputs("idemctl: the OS random number generator failed; refusing to make tokens\n", stderr);
  std::abort();
}

void os_random(std::byte* out, size_t n) {
  while (n > 0) {
    const ssize_t got = getrandom(out, n, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      // getrandom(2) missing (ENOSYS) or refused by a sandbox: OpenSSL has its own sources.
      if (RAND_bytes(reinterpret_cast<unsigned char*>(out), static_cast<int>(n)) != 1) {
        no_randomness();
      }
      return;
    }
    out += got;
    n -= static_cast<size_t>(got);
  }
}

struct Pool {
  std::array<std::byte, kPoolBytes> bytes;
  size_t used = kPoolBytes;  // starts empty
};

}  // namespace

void random_bytes(std::span<std::byte> out) {
  if (out.size() >= kPoolBytes) {
    os_random(out.data(), out.size());
    return;
  }
  thread_local Pool pool;
  size_t done = 0;
  while (done < out.size()) {
    if (pool.used == kPoolBytes) {
      os_random(pool.bytes.data(), kPoolBytes);
      pool.used = 0;
    }
    const size_t n = std::min(out.size() - done, kPoolBytes - pool.used);
    std::memcpy(out.data() + done, pool.bytes.data() + pool.used, n);
    // Handed-out bytes are wiped so a later memory disclosure cannot reveal old tokens.
    std::memset(pool.bytes.data() + pool.used, 0, n);
    pool.used += n;
    done += n;
  }
}

std::string random_hex(size_t bytes) {
  std::string raw(bytes, '\0');
  random_bytes(std::as_writable_bytes(std::span(raw.data(), raw.size())));
  std::string out(bytes * 2, '0');
  for (size_t i = 0; i < bytes; ++i) {
    const auto b = static_cast<unsigned char>(raw[i]);
    out[2 * i] = kHex[b >> 4];
    out[2 * i + 1] = kHex[b & 0xf];
  }
  return out;
}

std::string random_uuid4() {
  std::array<unsigned char, 16> b{};
  random_bytes(std::as_writable_bytes(std::span(b)));
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 0xf];
  }
  return out;
}

}  // namespace idem
