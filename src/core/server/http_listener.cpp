#include "http_listener.hpp"

#include "connection_stream.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <csignal>


namespace idem {
namespace {

// The connection the calling worker thread is serving, so a handler can drop it.
thread_local ConnectionStream* current_connection = nullptr;

constexpr int kListenBacklog = 1024;
// Connections are served one per worker thread; capping requests per connection makes every
// connection end now and then, so one waiting beyond the pool size is served in bounded time.
constexpr size_t kKeepAliveMaxRequests = 100;

}  // namespace

HttpListener::~HttpListener() { shutdown(); }

Result<int> HttpListener::start(const ListenerOptions& options) {
  // A client that hangs up must not kill the process with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  const size_t threads = std::max<size_t>(1, options.threads);
  new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  set_tcp_nodelay(true);  // with Nagle on, small responses wait ~40 ms for an ACK
  set_keep_alive_max_count(kKeepAliveMaxRequests);
  auto port = bind(options.host, options.port);
  if (!port) return port.error();
  listen_thread_ = std::thread([this] { listen_after_bind(); });
  // stop() before the accept loop runs would be lost, so wait (bounded) until it does.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  return port;
}

void HttpListener::shutdown() {
  if (!listen_thread_.joinable()) return;
  stop();
  listen_thread_.join();
}

Result<int> HttpListener::bind(const std::string& host, int port) {
  // httplib's default also sets SO_REUSEPORT, which lets a second server bind a port that is
  // already serving and silently split its traffic. Only SO_REUSEADDR (fast restarts) is kept.
  set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  int bound = port;
  if (port == 0) {
    bound = bind_to_any_port(host);
    if (bound <= 0) bound = -1;
  } else if (!bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound < 0) {
    return make_error(ErrorCode::Unavailable, "cannot listen on " + host + ":" +
                                                  std::to_string(port) +
                                                  " (address in use or not local)");
  }
  // httplib listens with a backlog of 5: a burst of clients connecting at once would see dropped
  // SYNs and 1 s retransmit stalls. listen() again on the bound socket raises it.
  ::listen(svr_sock_, kListenBacklog);
  return bound;
}

bool HttpListener::process_and_close_socket(socket_t sock) {
  using std::chrono::microseconds;
  using std::chrono::seconds;
  ConnectionStream stream(sock, seconds(read_timeout_sec_) + microseconds(read_timeout_usec_),
                          seconds(write_timeout_sec_) + microseconds(write_timeout_usec_));
  current_connection = &stream;
  const auto running = [this] { return svr_sock_ != INVALID_SOCKET; };
  bool ok = false;
  for (size_t left = keep_alive_max_count_; left > 0; --left) {
    if (!stream.wait_for_request(std::chrono::seconds(keep_alive_timeout_sec_), running)) break;
    stream.start_request();
    bool connection_closed = false;
    ok = process_request(stream, /*close_connection=*/left == 1, connection_closed,
                         [&stream](httplib::Request& req) {
                           restore_raw_header_values(stream.head(), req);
                         });
    if (!ok || connection_closed || stream.dropped()) break;
  }
  current_connection = nullptr;
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

bool drop_connection(const httplib::Request& /*req*/) {
  if (current_connection == nullptr) return false;
  current_connection->drop();
  return true;
}

}  // namespace idem
