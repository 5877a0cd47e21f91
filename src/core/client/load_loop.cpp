// LoadLoop's construction and its load mode: connection slots re-armed per request on the
// loop's one multi handle, finished transfers collected without allocation. The burst mode is
// in burst.cpp.
#include "idem/client/load_loop.hpp"

#include <cassert>
#include <cstdint>

#include "load_loop_impl.hpp"

namespace idem {
namespace {

// Slot indices travel through CURLOPT_PRIVATE.
void* as_private(size_t index) { return reinterpret_cast<void*>(static_cast<uintptr_t>(index)); }

}  // namespace

LoadLoop::LoadLoop() : impl_(std::make_unique<Impl>()) {}
LoadLoop::~LoadLoop() = default;

std::string LoadLoop::open_connections(const ClientRequest& common, BodySink sink, int count) {
  if (!impl_->multi) return "curl_multi_init failed";
  for (int i = 0; i < count; ++i) {
    auto conn = std::make_unique<curl::LoadConnection>();
    const std::string refused = conn->init(common, sink);
    if (!refused.empty()) return refused;
    if (curl_easy_setopt(conn->handle(), CURLOPT_PRIVATE, as_private(impl_->connections.size())) !=
        CURLE_OK) {
      return "curl refused CURLOPT_PRIVATE";
    }
    impl_->connections.push_back(std::move(conn));
    impl_->in_flight.push_back(false);
  }
  return "";
}

int LoadLoop::connections() const { return static_cast<int>(impl_->connections.size()); }

bool LoadLoop::start(int connection, const std::string& url,
                     std::span<const std::string* const> header_lines, std::string_view body) {
  const auto i = static_cast<size_t>(connection);
  assert(i < impl_->connections.size() && !impl_->in_flight[i]);
  curl::LoadConnection& conn = *impl_->connections[i];
  if (!conn.arm(url, header_lines, body) ||
      curl_multi_add_handle(impl_->multi.get(), conn.handle()) != CURLM_OK) {
    return false;
  }
  impl_->in_flight[i] = true;
  ++impl_->active;
  return true;
}

size_t LoadLoop::step(std::vector<LoadCompletion>& done) {
  CURLM* multi = impl_->multi.get();
  int running = 0;
  curl_multi_perform(multi, &running);
  size_t finished = 0;
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    const CURLcode code = msg->data.result;
    char* tag = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &tag);
    // curl needs a remove and an add to run an easy handle again; the connection stays cached.
    curl_multi_remove_handle(multi, easy);
    const auto i = static_cast<size_t>(reinterpret_cast<uintptr_t>(tag));
    if (i >= impl_->connections.size() || !impl_->in_flight[i]) continue;
    impl_->in_flight[i] = false;
    --impl_->active;
    done.push_back(LoadCompletion{static_cast<int>(i), impl_->connections[i]->finish(code)});
    ++finished;
  }
  return finished;
}

void LoadLoop::wait(int max_wait_ms) {
  if (max_wait_ms > 0) curl_multi_poll(impl_->multi.get(), nullptr, 0, max_wait_ms, nullptr);
}

size_t LoadLoop::abandon() {
  size_t n = 0;
  for (size_t i = 0; i < impl_->connections.size(); ++i) {
    if (!impl_->in_flight[i]) continue;
    curl_multi_remove_handle(impl_->multi.get(), impl_->connections[i]->handle());
    impl_->in_flight[i] = false;
    ++n;
  }
  impl_->active = 0;
  return n;
}

std::string_view LoadLoop::head(int connection) const {
  return impl_->connections[static_cast<size_t>(connection)]->head();
}

std::string_view LoadLoop::body(int connection) const {
  return impl_->connections[static_cast<size_t>(connection)]->body();
}

}  // namespace idem
