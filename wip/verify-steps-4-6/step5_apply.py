R='/work/wt-verify/'
def edit(p, old, new, count=1):
    s=open(R+p).read()
    assert old in s, (p, old[:70])
    s=s.replace(old,new,count)
    open(R+p,'w').write(s)
# --listen [::1]:P
edit('src/cli/flag_parsing.cpp','''  if (!port || *port > 65535) {
    return make_error(ErrorCode::InvalidArgument,
                      "invalid address '" + std::string(text) + "': expected HOST:PORT");
  }''','''  bool bad_host = false;
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);  // [::1]:8080, an IPv6 literal
  } else {
    bad_host = out.host.find_first_of(":[]") != std::string::npos;  // IPv6 needs brackets
  }
  if (bad_host || !port || *port > 65535) {
    return make_error(ErrorCode::InvalidArgument,
                      "invalid address '" + std::string(text) +
                          "': expected HOST:PORT or [IPv6]:PORT, port 0-65535");
  }''')
edit('src/core/server/reference_server.cpp','''  return "http://" + impl_->config.host + ":" + std::to_string(impl_->port);''','''  const std::string& host = impl_->config.host;
  const bool ipv6 = host.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(impl_->port);''')
# connection refused named; bad ports usage errors
edit('src/core/verify/runner.cpp','''  if (out.host.empty() || out.port.empty()) {''','''  const bool numeric_port = !out.port.empty() && out.port.size() <= 5 &&
                            std::all_of(out.port.begin(), out.port.end(), ::isdigit) &&
                            std::stoi(out.port) <= 65535;
  if (out.host.empty() || !numeric_port) {''')
edit('src/core/verify/runner.cpp','''                      "target '" + url + "': expected http://HOST[:PORT]");
  }
  return out;''','''                      "target '" + url + "': expected http://HOST[:PORT], port 0-65535");
  }
  return out;''')
edit('src/core/verify/runner.cpp','''// One non-blocking connect, bounded by `timeout`.
bool can_connect(const addrinfo& ai, Millis timeout) {
  const int fd =
      ::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol);
  if (fd < 0) return false;
  bool ok = ::connect(fd, ai.ai_addr, ai.ai_addrlen) == 0;
  if (!ok && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) == 1) {
      int err = 0;
      socklen_t len = sizeof(err);
      ok = ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
    }
  }
  ::close(fd);
  return ok;
}''','''// One non-blocking connect, bounded by `timeout`: 0 when connected, else the errno
// (ETIMEDOUT when no answer came in time).
int try_connect(const addrinfo& ai, Millis timeout) {
  const int fd =
      ::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol);
  if (fd < 0) return errno;
  int err = ::connect(fd, ai.ai_addr, ai.ai_addrlen) == 0 ? 0 : errno;
  if (err == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    err = ETIMEDOUT;
    if (::poll(&p, 1, static_cast<int>(timeout.count())) == 1) {
      socklen_t len = sizeof(err);
      if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    }
  }
  ::close(fd);
  return err;
}''')
edit('src/core/verify/runner.cpp','''    bool ok = false;
    for (const addrinfo* ai = found; ai && !ok; ai = ai->ai_next)
      ok = can_connect(*ai, connect_timeout);
    ::freeaddrinfo(found);
    if (!ok) {
      return make_error(
          ErrorCode::Unavailable,
          url + ": no connection within " + std::to_string(connect_timeout.count()) + " ms");
    }''','''    int err = ETIMEDOUT;
    for (const addrinfo* ai = found; ai && err != 0; ai = ai->ai_next)
      err = try_connect(*ai, connect_timeout);
    ::freeaddrinfo(found);
    if (err == ECONNREFUSED) return make_error(ErrorCode::Unavailable, url + ": connection refused");
    if (err == ETIMEDOUT) {
      return make_error(
          ErrorCode::Unavailable,
          url + ": no connection within " + std::to_string(connect_timeout.count()) + " ms");
    }
    if (err != 0) return make_error(ErrorCode::Unavailable, url + ": " + std::strerror(err));''')
print("ok5")
