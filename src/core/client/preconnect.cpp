#include "preconnect.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <memory>

namespace idem::curl {
namespace {

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct AddrDeleter {
  void operator()(addrinfo* info) const { freeaddrinfo(info); }
};

std::string url_part(CURLU* url, CURLUPart part, unsigned flags) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, flags) != CURLUE_OK || value == nullptr) return "";
  std::string out(value);
  curl_free(value);
  return out;
}

/// Starts a non-blocking connect to the URL's host and port; -1 if that fails at once.
int start_connect(const std::string& text) {
  const std::unique_ptr<CURLU, UrlDeleter> url(curl_url());
  if (!url || curl_url_set(url.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) return -1;
  std::string host = url_part(url.get(), CURLUPART_HOST, 0);
  const std::string port = url_part(url.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);  // IPv6
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0) return -1;
  const std::unique_ptr<addrinfo, AddrDeleter> info(found);
  const int fd = ::socket(info->ai_family, info->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                          info->ai_protocol);
  if (fd < 0) return -1;
  if (::connect(fd, info->ai_addr, info->ai_addrlen) != 0 && errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

std::vector<int> preconnect(const std::vector<std::string>& urls, Millis timeout) {
  std::vector<int> fds;
  fds.reserve(urls.size());
  for (const std::string& url : urls) fds.push_back(start_connect(url));
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<bool> pending(fds.size());
  for (size_t i = 0; i < fds.size(); ++i) pending[i] = fds[i] >= 0;
  while (true) {
    std::vector<pollfd> polls;
    std::vector<size_t> index;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (!pending[i]) continue;
      polls.push_back(pollfd{fds[i], POLLOUT, 0});
      index.push_back(i);
    }
    const auto left =
        std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now()).count();
    if (polls.empty() || left <= 0) break;
    if (::poll(polls.data(), polls.size(), static_cast<int>(left)) < 0 && errno != EINTR) break;
    for (size_t k = 0; k < polls.size(); ++k) {
      if (polls[k].revents == 0) continue;
      const size_t i = index[k];
      int error = 0;
      socklen_t len = sizeof(error);
      pending[i] = false;
      if (::getsockopt(fds[i], SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0) {
        ::close(fds[i]);
        fds[i] = -1;
      }
    }
  }
  // Still connecting at the deadline: give up on those; curl will try and time out itself.
  for (size_t i = 0; i < fds.size(); ++i) {
    if (pending[i]) {
      ::close(fds[i]);
      fds[i] = -1;
    }
  }
  return fds;
}

}  // namespace idem::curl
