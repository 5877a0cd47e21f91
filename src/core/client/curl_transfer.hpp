// One libcurl transfer: the options for a ClientRequest, the callbacks that collect the answer,
// and the mapping of curl's result to a ClientResponse. Shared by HttpClient (easy interface)
// and send_burst (multi interface). Not thread-safe: a Transfer belongs to one thread.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

#include "idem/client/http_client.hpp"

namespace idem::curl {

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct MultiDeleter {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using MultiHandle = std::unique_ptr<CURLM, MultiDeleter>;
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

/// The options every transfer of `request` gets, whatever sends it (HttpClient, send_burst, the
/// stress loop): URL, timeouts, HTTP/1.1, no signals, idle-reuse limit, user agent. The one place
/// for connection-level options. `error_buffer` (CURL_ERROR_SIZE) receives curl's messages.
CURLcode set_common_options(CURL* handle, const ClientRequest& request, char* error_buffer);

/// wrk's taxonomy for a finished transfer's curl result and the socket's errno.
TransportError classify(CURLcode code, long os_errno);

/// How the request body reaches curl.
enum class BodyMode {
  Whole,         ///< handed over at once (CURLOPT_POSTFIELDS)
  HoldLastByte,  ///< read callback that pauses before the last byte until release()
};

class Transfer {
 public:
  /// Resets `handle` (keeping its live connections) and configures it for `request`, which must
  /// outlive the transfer. Returns an error message when curl refuses an option, else "".
  std::string prepare(CURL* handle, const ClientRequest& request, BodyMode mode);

  /// True once the read callback holds back the last byte (HoldLastByte only).
  bool holding() const { return holding_; }
  /// Lets the last byte go: the read callback stops pausing. The caller unpauses the handle.
  void release() { released_ = true; }

  /// The outcome of the finished transfer whose curl result is `code`.
  ClientResponse finish(CURLcode code, std::chrono::microseconds latency);

 private:
  static size_t on_header(char* data, size_t size, size_t count, void* self) noexcept;
  static size_t on_body(char* data, size_t size, size_t count, void* self) noexcept;
  static size_t on_read(char* buffer, size_t size, size_t count, void* self) noexcept;
  static int on_prereq(void* self, char* remote_ip, char* local_ip, int remote_port,
                       int local_port) noexcept;

  CURL* handle_ = nullptr;
  const ClientRequest* request_ = nullptr;
  Slist headers_;
  HttpResponse response_;
  size_t body_sent_ = 0;
  bool holding_ = false;
  bool released_ = false;
  int attempts_ = 0;
  bool callback_failed_ = false;
  bool too_large_ = false;  // the answer passed max_response_bytes or kMaxResponseHeaders
  char error_buffer_[CURL_ERROR_SIZE] = {};
};

}  // namespace idem::curl
