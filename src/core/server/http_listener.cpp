#include "http_listener.hpp"

#include "connection_stream.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>


namespace idem {
namespace {

// The connection the calling worker thread is serving, so a handler can drop it.
thread_local ConnectionStream* current_connection = nullptr;

}  // namespace

Result<int> HttpListener::bind(const std::string& host, int port, int backlog) {
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
  ::listen(svr_sock_, backlog);
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
