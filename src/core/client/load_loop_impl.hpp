// LoadLoop's state, shared by its two modes (burst.cpp: burst(); load_loop.cpp: load mode).
// Private to src/core/client. Owned by one thread.
#pragma once

#include <unistd.h>

#include <memory>
#include <vector>

#include "curl_transfer.hpp"
#include "idem/client/load_loop.hpp"
#include "load_connection.hpp"

namespace idem {

/// One request of a burst: a persistent easy handle (re-prepared for every burst), its transfer
/// and, for a bodiless request, the connection opened ahead of the release.
struct BurstSlot {
  BurstSlot() = default;
  BurstSlot(const BurstSlot&) = delete;
  BurstSlot& operator=(const BurstSlot&) = delete;
  ~BurstSlot() { close_unused_socket(); }
  void close_unused_socket() {
    if (socket >= 0 && !socket_taken) ::close(socket);
    socket = -1;
    socket_taken = false;
  }

  curl::EasyHandle handle{curl_easy_init()};
  curl::Transfer transfer;
  bool active = false;        ///< added to the multi handle and not finished
  bool deferred = false;      ///< no body: added to the multi handle at the release
  int socket = -1;            ///< connected ahead for a deferred transfer, or -1
  bool socket_taken = false;  ///< curl owns (and will close) `socket`
  ClientResponse result;
};

struct LoadLoop::Impl {
  // Declared first so it is destroyed last: easy handles leave the multi handle before it goes.
  curl::MultiHandle multi{curl_multi_init()};
  std::vector<std::unique_ptr<BurstSlot>> burst_slots;  ///< grows to the largest burst
  std::vector<std::unique_ptr<curl::LoadConnection>> connections;
  std::vector<bool> in_flight;  ///< per load connection
  size_t active = 0;            ///< load transfers in flight

  ~Impl() {
    for (size_t i = 0; i < connections.size(); ++i) {
      if (in_flight[i]) curl_multi_remove_handle(multi.get(), connections[i]->handle());
    }
    connections.clear();
    burst_slots.clear();
  }
};

}  // namespace idem
