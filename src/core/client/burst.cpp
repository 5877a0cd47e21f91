// LoadLoop::burst() (and send_burst(), a burst on a fresh loop): N requests released together
// over N connections, with last-byte synchronisation on the loop's persistent multi handle.
//
// Each request with a body has a read callback that sends all but the last byte and then
// pauses. Once every such transfer holds its last byte (or has already failed), all are unpaused
// in one go and a single curl_multi_perform() writes the last bytes back to back, so the server
// sees N complete requests within microseconds. A request without a body has nothing to hold
// back: its connection is opened first (preconnect.hpp) and handed to curl unless curl reuses a
// kept-alive one, and its transfer is added to the multi handle only at the release, so its
// whole request leaves with the last bytes.
// If some transfer cannot reach its pause point (a server that does not read a large body), the
// others are released anyway after half the shortest timeout, so a burst never hangs; the whole
// burst is bounded by the longest connect timeout plus the longest timeout.
#include <algorithm>
#include <cassert>
#include <span>
#include <chrono>
#include <vector>

#include <unistd.h>

#include "curl_transfer.hpp"
#include "idem/client/http_client.hpp"
#include "idem/client/load_loop.hpp"
#include "load_loop_impl.hpp"
#include "preconnect.hpp"

namespace idem {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

// curl_multi_poll wakes on socket activity and curl's own timers; this only bounds how late the
// release and deadline checks can run.
constexpr int kPollMillis = 20;

// CURLOPT_OPENSOCKETFUNCTION: hand curl the connection opened ahead of the release.
curl_socket_t open_socket(void* self, curlsocktype purpose, curl_sockaddr* address) noexcept {
  auto& slot = *static_cast<BurstSlot*>(self);
  if (purpose == CURLSOCKTYPE_IPCXN && slot.socket >= 0 && !slot.socket_taken) {
    slot.socket_taken = true;
    return slot.socket;
  }
  return ::socket(address->family, address->socktype, address->protocol);
}

// CURLOPT_SOCKOPTFUNCTION: tell curl not to connect the socket it was handed.
int socket_options(void* self, curl_socket_t fd, curlsocktype) noexcept {
  const auto& slot = *static_cast<BurstSlot*>(self);
  return fd == slot.socket ? CURL_SOCKOPT_ALREADY_CONNECTED : CURL_SOCKOPT_OK;
}

bool use_connection_ahead(BurstSlot& slot) {
  CURL* h = slot.handle.get();
  return curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, &open_socket) == CURLE_OK &&
         curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &slot) == CURLE_OK &&
         curl_easy_setopt(h, CURLOPT_SOCKOPTFUNCTION, &socket_options) == CURLE_OK &&
         curl_easy_setopt(h, CURLOPT_SOCKOPTDATA, &slot) == CURLE_OK;
}

std::chrono::microseconds total_time(CURL* handle) {
  curl_off_t micros = 0;
  curl_easy_getinfo(handle, CURLINFO_TOTAL_TIME_T, &micros);
  return std::chrono::microseconds(micros);
}

using Slots = std::span<const std::unique_ptr<BurstSlot>>;

void collect_finished(CURLM* multi, Slots slots) {
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
    if (msg->msg != CURLMSG_DONE) continue;
    for (const auto& owned : slots) {
      BurstSlot& slot = *owned;
      if (slot.handle.get() != msg->easy_handle || !slot.active) continue;
      slot.result = slot.transfer.finish(msg->data.result, total_time(slot.handle.get()));
      slot.active = false;
      curl_multi_remove_handle(multi, slot.handle.get());
      break;
    }
  }
}

bool all_holding_or_done(Slots slots) {
  return std::all_of(slots.begin(), slots.end(), [](const auto& s) {
    return !s->active || s->transfer.holding();
  });
}

}  // namespace

std::vector<ClientResponse> send_burst(const std::vector<ClientRequest>& requests) {
  LoadLoop loop;
  return loop.burst(requests);
}

std::vector<ClientResponse> LoadLoop::burst(const std::vector<ClientRequest>& requests) {
  if (requests.empty()) return {};
  assert(impl_->active == 0 && "burst() while load transfers are in flight");
  auto& owned = impl_->burst_slots;
  while (owned.size() < requests.size()) owned.push_back(std::make_unique<BurstSlot>());
  const Slots slots(owned.data(), requests.size());
  for (const auto& s : slots) {
    s->active = false;
    s->deferred = false;
    s->close_unused_socket();
    s->result = {};
  }
  CURLM* const multi = impl_->multi.get();
  if (multi == nullptr) {
    return std::vector<ClientResponse>(
        requests.size(), ClientResponse{{}, TransportError::Other, "curl_multi_init failed", {}});
  }
  // Requests without a body are connected first, all at once.
  std::vector<std::string> bodiless_urls;
  Millis connect_limit{0};
  for (const ClientRequest& r : requests) {
    if (!r.body.empty()) continue;
    bodiless_urls.push_back(r.url);
    connect_limit = std::max(connect_limit, r.connect_timeout);
  }
  std::vector<int> sockets = curl::preconnect(bodiless_urls, connect_limit);

  Millis shortest = Millis::max();
  Millis longest{0};
  size_t next_socket = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    BurstSlot& slot = *slots[i];
    slot.deferred = requests[i].body.empty();
    if (slot.deferred) slot.socket = sockets[next_socket++];
    shortest = std::min(shortest, requests[i].timeout);
    longest = std::max(longest, requests[i].timeout);
    if (!slot.handle) {
      slot.result = ClientResponse{{}, TransportError::Other, "curl_easy_init failed", {}};
      continue;
    }
    const std::string refused =
        slot.transfer.prepare(slot.handle.get(), requests[i], curl::BodyMode::HoldLastByte);
    if (!refused.empty()) {
      slot.result = ClientResponse{{}, TransportError::Other, refused, {}};
      continue;
    }
    if (slot.deferred) {
      if (!use_connection_ahead(slot)) {
        slot.result = ClientResponse{{}, TransportError::Other, "curl refused socket options", {}};
        slot.deferred = false;
      }
      continue;
    }
    if (curl_multi_add_handle(multi, slot.handle.get()) != CURLM_OK) {
      slot.result = ClientResponse{{}, TransportError::Other, "curl_multi_add_handle failed", {}};
      continue;
    }
    slot.active = true;
  }

  const SteadyTime started = std::chrono::steady_clock::now();
  const SteadyTime release_at = started + shortest / 2;
  // curl enforces each timeout itself; this is the backstop that guarantees the loop ends.
  const SteadyTime give_up_at = started + longest + std::chrono::seconds(1);
  bool released = false;
  int running = 0;
  while (running > 0 || !released) {
    curl_multi_perform(multi, &running);
    collect_finished(multi, slots);
    const SteadyTime now = std::chrono::steady_clock::now();
    if (!released && (all_holding_or_done(slots) || now >= release_at)) {
      released = true;
      for (const auto& each : slots) {
        BurstSlot& slot = *each;
        if (slot.deferred) {
          slot.deferred = false;
          if (curl_multi_add_handle(multi, slot.handle.get()) == CURLM_OK) {
            slot.active = true;
          } else {
            slot.result =
                ClientResponse{{}, TransportError::Other, "curl_multi_add_handle failed", {}};
          }
        } else if (slot.active) {
          slot.transfer.release();
          curl_easy_pause(slot.handle.get(), CURLPAUSE_CONT);
        }
      }
      // Perform again at once, so the last bytes go out together; this also counts the
      // transfers just added (a burst of bodiless requests had none running before).
      curl_multi_perform(multi, &running);
      collect_finished(multi, slots);
      continue;
    }
    if (now >= give_up_at) break;
    curl_multi_poll(multi, nullptr, 0, kPollMillis, nullptr);
  }
  collect_finished(multi, slots);

  std::vector<ClientResponse> out;
  out.reserve(slots.size());
  for (const auto& each : slots) {
    BurstSlot& slot = *each;
    // curl reused a kept-alive connection instead of the one opened ahead: close that one now.
    slot.close_unused_socket();
    if (slot.active) {
      curl_multi_remove_handle(multi, slot.handle.get());
      slot.result = ClientResponse{
          {}, TransportError::Timeout, "burst deadline passed", total_time(slot.handle.get())};
    }
    out.push_back(std::move(slot.result));
  }
  return out;
}

}  // namespace idem
