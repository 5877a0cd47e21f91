#include "curl_transfer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

namespace idem::curl {
namespace {

// A server that keeps idle connections open for less than this (httplib and Node use 5 s) would
// close one just as we reuse it; not reusing older connections keeps that race out of the way.
constexpr long kMaxIdleReuseSeconds = 2;

std::string trim(std::string_view s) {
  const auto not_space = [](char c) { return c != ' ' && c != '\t' && c != '\r' && c != '\n'; };
  const auto first = std::find_if(s.begin(), s.end(), not_space);
  const auto last = std::find_if(s.rbegin(), s.rend(), not_space).base();
  return first < last ? std::string(first, last) : std::string();
}

bool has_header(const HeaderList& headers, std::string_view name) {
  return find_header(headers, name).has_value();
}

Slist build_headers(const ClientRequest& request) {
  Slist owned;
  const auto add = [&owned](const std::string& line) {
    // Returns the head (new for the first line), or null with the list unchanged.
    curl_slist* head = curl_slist_append(owned.get(), line.c_str());
    if (head != nullptr && !owned) owned.reset(head);
  };
  for (const auto& [name, value] : request.headers) {
    // "Name:" would make curl drop the header; "Name;" is its spelling for an empty value.
    add(value.empty() ? name + ";" : name + ": " + value);
  }
  // curl waits up to 1 s for "100 Continue" before sending a large body; nobody asked for that.
  if (!has_header(request.headers, "Expect")) add("Expect:");
  // Send only the headers the caller chose: no invented form Content-Type for bodies.
  if (!has_header(request.headers, "Content-Type")) add("Content-Type:");
  return owned;
}

}  // namespace

TransportError classify(CURLcode code, long os_errno) {
  switch (code) {
    case CURLE_OK:
      return TransportError::None;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return TransportError::Connect;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportError::Timeout;
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return TransportError::Closed;
    case CURLE_SEND_ERROR:
      return TransportError::Write;
    case CURLE_RECV_ERROR:
      return os_errno == ECONNRESET || os_errno == EPIPE ? TransportError::Closed
                                                         : TransportError::Read;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return TransportError::Read;
    default:
      return TransportError::Other;
  }
}

CURLcode set_common_options(CURL* handle, const ClientRequest& request, char* error_buffer) {
  CURLcode rc = CURLE_OK;
  const auto set = [&rc, handle](CURLoption option, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(handle, option, value);
  };
  set(CURLOPT_ERRORBUFFER, error_buffer);
  set(CURLOPT_URL, request.url.c_str());
  set(CURLOPT_NOSIGNAL, 1L);  // no SIGALRM: several threads send at once
  set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  set(CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count()));
  set(CURLOPT_MAXAGE_CONN, kMaxIdleReuseSeconds);
  set(CURLOPT_USERAGENT, "idemctl/" IDEM_VERSION);
  // TLS: curl's defaults (verify peer and host against the system's CAs) unless told otherwise.
  // curl_easy_reset clears these, so every transfer sets them again; curl reuses a connection
  // only for a transfer with the same TLS settings.
  const TlsClientOptions& tls = request.tls;
  if (!tls.ca_file.empty()) set(CURLOPT_CAINFO, tls.ca_file.c_str());
  if (tls.insecure) {
    set(CURLOPT_SSL_VERIFYPEER, 0L);
    set(CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!tls.cert_file.empty()) {
    set(CURLOPT_SSLCERT, tls.cert_file.c_str());
    set(CURLOPT_SSLCERTTYPE, "PEM");
  }
  if (!tls.key_file.empty()) {
    set(CURLOPT_SSLKEY, tls.key_file.c_str());
    set(CURLOPT_SSLKEYTYPE, "PEM");
  }
  return rc;
}

std::string Transfer::prepare(CURL* handle, const ClientRequest& request, BodyMode mode) {
  handle_ = handle;
  request_ = &request;
  response_ = {};
  body_sent_ = 0;
  holding_ = false;
  released_ = mode == BodyMode::Whole;
  attempts_ = 0;
  callback_failed_ = false;
  too_large_ = false;
  error_buffer_[0] = '\0';
  headers_ = build_headers(request);

  // curl_easy_reset keeps live connections, so keep-alive survives between requests.
  curl_easy_reset(handle);
  CURLcode rc = CURLE_OK;
  const auto set = [&rc, handle](CURLoption option, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(handle, option, value);
  };
  rc = set_common_options(handle, request, error_buffer_);
  set(CURLOPT_HTTPHEADER, headers_.get());
  set(CURLOPT_HEADERFUNCTION, &Transfer::on_header);
  set(CURLOPT_HEADERDATA, this);
  set(CURLOPT_WRITEFUNCTION, &Transfer::on_body);
  set(CURLOPT_WRITEDATA, this);
  set(CURLOPT_PREREQFUNCTION, &Transfer::on_prereq);
  set(CURLOPT_PREREQDATA, this);

  const std::string& method = request.method;
  const bool sends_body = !request.body.empty() || iequals(method, "POST") ||
                          iequals(method, "PUT") || iequals(method, "PATCH");
  if (iequals(method, "HEAD")) {
    set(CURLOPT_NOBODY, 1L);
  } else if (sends_body) {
    set(CURLOPT_POST, 1L);
    set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    if (mode == BodyMode::Whole) {
      // Not COPYPOSTFIELDS: the request outlives the transfer, so no copy of a large body.
      set(CURLOPT_POSTFIELDS, request.body.data());
    } else {
      set(CURLOPT_READFUNCTION, &Transfer::on_read);
      set(CURLOPT_READDATA, this);
    }
    if (method != "POST") set(CURLOPT_CUSTOMREQUEST, method.c_str());
  } else {
    set(CURLOPT_HTTPGET, 1L);
    if (method != "GET") set(CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  if (rc != CURLE_OK) return std::string("curl refused an option: ") + curl_easy_strerror(rc);
  return "";
}

ClientResponse Transfer::finish(CURLcode code, std::chrono::microseconds latency) {
  ClientResponse out;
  out.latency = latency;
  long os_errno = 0;
  curl_easy_getinfo(handle_, CURLINFO_OS_ERRNO, &os_errno);
  if (code == CURLE_ABORTED_BY_CALLBACK && attempts_ > 1) {
    out.error = TransportError::Closed;
    out.error_message =
        "the server closed a kept-alive connection without answering; not resent, since the "
        "server may have acted on it";
    return out;
  }
  if (too_large_) {
    out.error = TransportError::Read;
    out.error_message = "the answer has more than " +
                        std::to_string(request_->max_response_bytes) + " body bytes or " +
                        std::to_string(kMaxResponseHeaders) + " header lines; not read further";
    return out;
  }
  if (callback_failed_) {
    out.error = TransportError::Other;
    out.error_message = "out of memory while receiving the response";
    return out;
  }
  out.error = classify(code, os_errno);
  if (out.error != TransportError::None) {
    out.error_message = error_buffer_[0] != '\0' ? error_buffer_ : curl_easy_strerror(code);
    return out;
  }
  long status = 0;
  curl_easy_getinfo(handle_, CURLINFO_RESPONSE_CODE, &status);
  response_.status = static_cast<int>(status);
  out.response = std::move(response_);
  response_ = {};
  return out;
}

size_t Transfer::on_header(char* data, size_t size, size_t count, void* self) noexcept {
  auto& t = *static_cast<Transfer*>(self);
  const size_t n = size * count;
  try {
    const std::string_view line(data, n);
    if (line.starts_with("HTTP/")) {
      // A new status line: an interim answer (100 Continue) came before; keep the final one's.
      t.response_.headers.clear();
    } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
      if (t.response_.headers.size() >= kMaxResponseHeaders) {
        t.too_large_ = true;
        return 0;
      }
      t.response_.headers.emplace_back(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
    }
  } catch (...) {
    t.callback_failed_ = true;
    return 0;
  }
  return n;
}

size_t Transfer::on_body(char* data, size_t size, size_t count, void* self) noexcept {
  auto& t = *static_cast<Transfer*>(self);
  const size_t n = size * count;
  if (t.response_.body.size() + n > t.request_->max_response_bytes) {
    t.too_large_ = true;
    return 0;
  }
  try {
    t.response_.body.append(data, n);
  } catch (...) {
    t.callback_failed_ = true;
    return 0;
  }
  return n;
}

size_t Transfer::on_read(char* buffer, size_t size, size_t count, void* self) noexcept {
  auto& t = *static_cast<Transfer*>(self);
  const std::string& body = t.request_->body;
  const size_t remaining = body.size() - t.body_sent_;
  const size_t allowed = t.released_ || remaining == 0 ? remaining : remaining - 1;
  if (allowed == 0 && remaining > 0) {
    // curl asks again for data only once the previous chunk left its buffer, so here every byte
    // but the last has been written to the socket.
    t.holding_ = true;
    return CURL_READFUNC_PAUSE;
  }
  const size_t n = std::min(size * count, allowed);
  std::memcpy(buffer, body.data() + t.body_sent_, n);
  t.body_sent_ += n;
  return n;
}

int Transfer::on_prereq(void* self, char*, char*, int, int) noexcept {
  auto& t = *static_cast<Transfer*>(self);
  // curl silently resends a request whose kept-alive connection closed without an answer. For a
  // tool that counts executions that resend is a lie (the server may have run the first one),
  // so the second attempt is refused and reported as Closed.
  ++t.attempts_;
  return t.attempts_ > 1 ? CURL_PREREQFUNC_ABORT : CURL_PREREQFUNC_OK;
}

}  // namespace idem::curl
