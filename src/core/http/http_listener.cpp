#include "http_listener.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>

#include "connection_stream.hpp"
#include "head_reader.hpp"
#include "idem/http.hpp"
#include "worker_pool.hpp"

namespace idem {
namespace {

// The connection the calling worker thread is serving, so a handler can drop it.
thread_local ConnectionStream* current_connection = nullptr;
thread_local const std::atomic<bool>* current_stopping = nullptr;

constexpr int kListenBacklog = 1024;

// The listener boundary's last answer, through the stream (so through TLS when there is one).
void answer_500(ConnectionStream& stream) {
  const std::string wire = problem_wire(500, "unexpected server error");
  (void)stream.write(wire.data(), wire.size());
}

// Statuses httplib itself raises while reading a request: the framing may be broken, so the
// connection is closed after the answer rather than read on.
bool breaks_framing(int status) {
  return status == 400 || status == 408 || status == 413 || status == 414 || status == 431 ||
         status == 501;
}

// A bound, listening socket for host:port (no SO_REUSEPORT), or -1.
int listen_socket(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found) != 0) {
    return -1;
  }
  int fd = -1;
  for (addrinfo* ai = found; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    // SO_REUSEPORT would let a second server bind a port that is already serving and silently
    // split its traffic; only SO_REUSEADDR (fast restarts) is set.
    int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || ::listen(fd, kListenBacklog) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  return fd;
}

int bound_port(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return -1;
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
}

}  // namespace

HttpListener::HttpListener() { install_error_handler(); }

HttpListener::~HttpListener() { shutdown(); }

void HttpListener::install_error_handler() {
  set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    // A handler's own error answer has a body; an empty one is httplib's (routing, parsing).
    if (!res.body.empty()) return;
    const std::string detail = res.status == 404 ? "no route for " + req.method + " " + req.path
                                                 : std::string(edge_reason_phrase(res.status));
    const HttpResponse p =
        make_problem(res.status, edge_problem_slug(res.status), edge_reason_phrase(res.status),
                     detail);
    for (const auto& [name, value] : p.headers) res.set_header(name.c_str(), value);
    res.body = p.body;
    if (breaks_framing(res.status)) {
      res.set_header("Connection", "close");
      if (current_connection != nullptr) current_connection->request_close();
    }
    if (edge_log_ && res.status != 404) edge_log_(res.status, req.method, req.path, detail);
  });
}

Result<int> HttpListener::start(const ListenerOptions& options) {
  // A client that hangs up must not kill the process with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  const int fd = listen_socket(options.host, options.port);
  if (fd < 0) {
    return make_error(ErrorCode::Unavailable, "cannot listen on " + options.host + ":" +
                                                  std::to_string(options.port) +
                                                  " (address in use or not local)");
  }
  const int port = bound_port(fd);
  workers_ = std::make_unique<WorkerPool>(std::max<size_t>(1, options.threads));
  if (options.reserved_threads > 0 && options.reserved_for) {
    reserved_ = std::make_unique<WorkerPool>(options.reserved_threads);
    reserved_for_ = options.reserved_for;
  }
  HeadReaderLimits limits;
  limits.head_timeout = options.head_timeout;
  limits.idle_timeout = std::chrono::seconds(keep_alive_timeout_sec_);
  limits.max_connections = options.max_connections;
  limits.max_body = payload_max_length_;
  reader_ = std::make_unique<HeadReader>(
      fd, limits,
      [this](ReadyConnection&& c) {
        WorkerPool& pool = reserved_ && reserved_for_(c.path()) ? *reserved_ : *workers_;
        auto job = std::make_shared<ReadyConnection>(std::move(c));
        if (!pool.submit([this, job] { serve(*job); })) reader_->close_connection(job->fd);
      },
      [this](int status, const std::string& reason) {
        if (edge_log_) edge_log_(status, "", "", reason);
      },
      options.tls);
  reader_->start();
  return port;
}

void HttpListener::shutdown() {
  if (!reader_ || stopping_.exchange(true)) return;
  reader_->stop();
  workers_->stop();
  if (reserved_) reserved_->stop();
}

void HttpListener::serve(ReadyConnection& c) {
  using std::chrono::microseconds;
  using std::chrono::seconds;
  ConnectionStream stream(c.fd, seconds(read_timeout_sec_) + microseconds(read_timeout_usec_),
                          seconds(write_timeout_sec_) + microseconds(write_timeout_usec_),
                          std::move(c.bytes), c.tls.get());
  current_connection = &stream;
  current_stopping = &stopping_;
  stream.start_request();
  bool closed = false;
  bool ok = false;
  // The catch-all of the listener boundary: nothing thrown below reaches the worker pool.
  try {
    ok = process_request(stream, /*close_connection=*/stopping_.load(), closed,
                         [&stream](httplib::Request& req) {
                           restore_raw_header_values(stream.head(), req);
                         });
  } catch (const std::exception& e) {
    if (edge_log_) edge_log_(500, "", "", std::string("unexpected error: ") + e.what());
    if (stream.written() == 0) answer_500(stream);
    ok = false;
  } catch (...) {
    if (edge_log_) edge_log_(500, "", "", "unexpected error");
    if (stream.written() == 0) answer_500(stream);
    ok = false;
  }
  current_connection = nullptr;
  current_stopping = nullptr;
  if (ok && !closed && !stream.dropped() && !stream.close_requested() && !stopping_.load()) {
    reader_->resume(c.fd, stream.take_unread(), std::move(c.tls));
  } else {
    // A dropped exchange imitates a crash: no close_notify for it.
    if (c.tls && !stream.dropped()) c.tls->close_notify();
    reader_->close_connection(c.fd, stream.was_reset());
  }
}

bool drop_connection(const httplib::Request& /*req*/) {
  if (current_connection == nullptr) return false;
  current_connection->drop();
  return true;
}

bool reset_connection(const httplib::Request& /*req*/) {
  if (current_connection == nullptr) return false;
  current_connection->reset();
  return true;
}

bool hold_connection(const httplib::Request& /*req*/, std::chrono::milliseconds limit) {
  if (current_connection == nullptr || current_stopping == nullptr) return false;
  current_connection->hold(limit, *current_stopping);
  return true;
}

bool write_and_drop_connection(const httplib::Request& /*req*/, std::string_view bytes) {
  if (current_connection == nullptr) return false;
  current_connection->write_all_then_drop(bytes);
  return true;
}

std::string http_url(const std::string& host, int port) {
  const bool v6 = host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

bool listener_stopping(const httplib::Request& /*req*/) {
  return current_stopping != nullptr && current_stopping->load();
}

}  // namespace idem
