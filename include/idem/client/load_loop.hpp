// A persistent libcurl multi loop for one thread: its connections stay open across requests and
// across bursts (one connection cache for the loop's lifetime). Two modes share the loop:
//  - burst(): verify's N requests released together (last-byte synchronisation), answers kept
//    whole (BodySink::Keep);
//  - load mode: a fixed set of connection slots, each re-armed with prepared header lines and a
//    body and driven by step()/wait(); answers reduced by a body sink (hash or discard), so a
//    load run keeps no bodies. stress's workers run on it.
// Not thread-safe: one thread at a time uses a LoadLoop (it may be made on another). Do not mix the modes while load
// transfers are in flight.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "idem/client/http_client.hpp"

namespace idem {

/// What the loop keeps of an answer body.
enum class BodySink {
  Keep,     ///< all of it (burst mode); in load mode a hash and up to kLoadKeepBytes
  Hash,     ///< a hash of it and a short prefix for examples
  Discard,  ///< its length only
};

/// A load-mode answer, reduced to what judging idempotency needs.
struct LoadAnswer {
  TransportError error = TransportError::None;
  int status = 0;
  uint64_t body_hash = 0;              ///< FNV-1a 64 of the body (constant with Discard)
  uint64_t replayed_headers_hash = 0;  ///< Content-Type, Location, ETag, Link (SEMANTICS §2)
  bool replay_marker = false;          ///< Idempotent-Replayed: true
  int retry_after_seconds = -1;        ///< -1: none or not a number of seconds
  bool chaos_injected = false;  ///< Idemctl-Chaos names replace-status or abort: not the target's
  size_t body_bytes = 0;
};

/// One finished load-mode transfer.
struct LoadCompletion {
  int connection = 0;  ///< slot index given to start()
  LoadAnswer answer;
};

class LoadLoop {
 public:
  static constexpr size_t kMaxHeaderLines = 32;  ///< per load-mode request
  static constexpr size_t kExampleBytes = 2048;  ///< head and body prefix kept in load mode
  static constexpr size_t kLoadKeepBytes = 64 * 1024;

  LoadLoop();
  ~LoadLoop();
  LoadLoop(const LoadLoop&) = delete;
  LoadLoop& operator=(const LoadLoop&) = delete;

  /// Sends every request at once, each on its own connection (kept-alive ones of earlier bursts
  /// are reused), and releases them together: every request is sent but for its last body byte,
  /// and only when all have got that far are the last bytes let go (requests without a body are
  /// released when all are connected). If some request cannot reach that point, the others are
  /// released after half the shortest timeout. Results come back in the order of `requests`.
  std::vector<ClientResponse> burst(const std::vector<ClientRequest>& requests);

  // Load mode.

  /// Creates `count` connection slots (0..count-1) for requests shaped like `common` (method,
  /// first URL, timeouts), each answer reduced by `sink`. "" on success, else why not.
  std::string open_connections(const ClientRequest& common, BodySink sink, int count);
  int connections() const;

  /// Starts a request on idle slot `connection`: `url`, `header_lines` ("Name: value", at most
  /// kMaxHeaderLines) and `body` are borrowed and must stay valid until the slot completes.
  /// Allocation-free. False when curl refused it (the slot stays idle).
  bool start(int connection, const std::string& url,
             std::span<const std::string* const> header_lines, std::string_view body);
  /// Drives the transfers and appends the ones that finished to `done` (reserve connections()
  /// entries to keep this allocation-free). Returns how many finished.
  size_t step(std::vector<LoadCompletion>& done);
  /// Waits up to `max_wait_ms` for socket activity or a curl timer.
  void wait(int max_wait_ms);
  /// Abandons the transfers still in flight; returns how many there were.
  size_t abandon();

  /// The last answer's head and body prefix on `connection` (for violation examples).
  std::string_view head(int connection) const;
  std::string_view body(int connection) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace idem
