#include "load_connection.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace idem::curl {
namespace {

// Suppresses curl's own "Expect: 100-continue" (a 1 s wait for large bodies) and its invented
// form Content-Type, as HttpClient does.
const std::string kNoExpect = "Expect:";
const std::string kNoContentType = "Content-Type:";

bool name_is(std::string_view name, std::string_view lower) {
  return name.size() == lower.size() &&
         std::equal(name.begin(), name.end(), lower.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

void append_capped(std::vector<char>& buffer, size_t& size, std::string_view bytes) {
  const size_t n = std::min(bytes.size(), buffer.size() - size);
  std::memcpy(buffer.data() + size, bytes.data(), n);
  size += n;
}

}  // namespace

std::string LoadConnection::init(const ClientRequest& common, BodySink sink) {
  handle_.reset(curl_easy_init());
  if (!handle_) return "curl_easy_init failed";
  sink_ = sink;
  head_.assign(kExampleBytes, '\0');
  body_.assign(sink == BodySink::Keep ? kKeepBytes : sink == BodySink::Hash ? kExampleBytes : 0,
               '\0');
  CURL* h = handle_.get();
  CURLcode rc = set_common_options(h, common, error_buffer_);
  const auto set = [&rc, h](CURLoption option, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(h, option, value);
  };
  set(CURLOPT_HEADERFUNCTION, &LoadConnection::on_header);
  set(CURLOPT_HEADERDATA, this);
  set(CURLOPT_WRITEFUNCTION, &LoadConnection::on_body);
  set(CURLOPT_WRITEDATA, this);
  set(CURLOPT_PREREQFUNCTION, &LoadConnection::on_prereq);
  set(CURLOPT_PREREQDATA, this);
  const std::string& method = common.method;
  if (iequals(method, "HEAD")) {
    set(CURLOPT_NOBODY, 1L);
  } else if (iequals(method, "GET") || iequals(method, "DELETE")) {
    set(CURLOPT_HTTPGET, 1L);
    if (method != "GET") set(CURLOPT_CUSTOMREQUEST, method.c_str());
  } else {
    sends_body_ = true;
    set(CURLOPT_POST, 1L);
    if (method != "POST") set(CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  if (rc != CURLE_OK) return std::string("curl refused an option: ") + curl_easy_strerror(rc);
  return "";
}

bool LoadConnection::arm(const std::string& url, std::span<const std::string* const> lines,
                         std::string_view body) {
  CURL* h = handle_.get();
  answer_ = {};
  answer_.body_hash = kFnvOffset;
  answer_.replayed_headers_hash = kFnvOffset;
  head_size_ = 0;
  body_size_ = 0;
  attempts_ = 0;
  error_buffer_[0] = '\0';
  bool ok = true;
  if (url_ != &url) {
    url_ = &url;
    ok = curl_easy_setopt(h, CURLOPT_URL, url.c_str()) == CURLE_OK;
  }
  size_t n = 0;
  for (const std::string* line : lines.first(std::min(lines.size(), kMaxHeaderLines))) {
    nodes_[n].data = const_cast<char*>(line->c_str());  // curl only reads the list
    ++n;
  }
  nodes_[n++].data = const_cast<char*>(kNoExpect.c_str());
  const bool typed = std::any_of(lines.begin(), lines.end(), [](const std::string* l) {
    return l->size() > 13 && name_is(std::string_view(*l).substr(0, 12), "content-type");
  });
  if (!typed) nodes_[n++].data = const_cast<char*>(kNoContentType.c_str());
  for (size_t i = 0; i < n; ++i) nodes_[i].next = i + 1 < n ? &nodes_[i + 1] : nullptr;
  ok = ok && curl_easy_setopt(h, CURLOPT_HTTPHEADER, &nodes_[0]) == CURLE_OK;
  if (sends_body_) {
    ok = ok && curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                                static_cast<curl_off_t>(body.size())) == CURLE_OK;
    ok = ok && curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data()) == CURLE_OK;
  }
  return ok;
}

LoadAnswer LoadConnection::finish(CURLcode code) {
  LoadAnswer out = answer_;
  long os_errno = 0;
  curl_easy_getinfo(handle_.get(), CURLINFO_OS_ERRNO, &os_errno);
  if (code == CURLE_ABORTED_BY_CALLBACK && attempts_ > 1) {
    // curl wanted to resend on a fresh connection: refused, as HttpClient does (the server may
    // have acted on the first one).
    out.error = TransportError::Closed;
    return out;
  }
  out.error = classify(code, os_errno);
  if (out.error != TransportError::None) return out;
  long status = 0;
  curl_easy_getinfo(handle_.get(), CURLINFO_RESPONSE_CODE, &status);
  out.status = static_cast<int>(status);
  return out;
}

size_t LoadConnection::on_header(char* data, size_t size, size_t count, void* self) noexcept {
  auto& c = *static_cast<LoadConnection*>(self);
  const size_t n = size * count;
  const std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    // A new status line: an interim answer came before; judge the final one only.
    const uint64_t body_hash = c.answer_.body_hash;
    c.answer_ = {};
    c.answer_.body_hash = body_hash;
    c.answer_.replayed_headers_hash = kFnvOffset;
    c.head_size_ = 0;
  }
  append_capped(c.head_, c.head_size_, line);
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  const std::string_view name = trim(line.substr(0, colon));
  const std::string_view value = trim(line.substr(colon + 1));
  if (name_is(name, "content-type") || name_is(name, "location") || name_is(name, "etag") ||
      name_is(name, "link")) {
    uint64_t h = c.answer_.replayed_headers_hash;
    for (const char ch : name) {
      const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      h = fnv1a(h, std::string_view(&lower, 1));
    }
    c.answer_.replayed_headers_hash = fnv1a(fnv1a(h, ":"), value);
  } else if (name_is(name, "idempotent-replayed")) {
    c.answer_.replay_marker = value == "true";
  } else if (name_is(name, "idemctl-chaos")) {
    // The chaos proxy's own answer (replace-status, abort), as opposed to the target's answer
    // that a delay or a duplicate forward merely touched.
    c.answer_.chaos_injected = value.find("replace-status") != std::string_view::npos ||
                               value.find("abort") != std::string_view::npos;
  } else if (name_is(name, "retry-after")) {
    int seconds = 0;
    bool digits = !value.empty() && value.size() < 7;
    for (const char ch : value) {
      if (ch < '0' || ch > '9') digits = false;
      seconds = seconds * 10 + (ch - '0');
    }
    c.answer_.retry_after_seconds = digits ? seconds : -1;
  }
  return n;
}

size_t LoadConnection::on_body(char* data, size_t size, size_t count, void* self) noexcept {
  auto& c = *static_cast<LoadConnection*>(self);
  const size_t n = size * count;
  const std::string_view bytes(data, n);
  c.answer_.body_bytes += n;
  if (c.sink_ != BodySink::Discard) {
    c.answer_.body_hash = fnv1a(c.answer_.body_hash, bytes);
    append_capped(c.body_, c.body_size_, bytes);
  }
  return n;
}

int LoadConnection::on_prereq(void* self, char*, char*, int, int) noexcept {
  auto& c = *static_cast<LoadConnection*>(self);
  ++c.attempts_;
  return c.attempts_ > 1 ? CURL_PREREQFUNC_ABORT : CURL_PREREQFUNC_OK;
}

}  // namespace idem::curl
