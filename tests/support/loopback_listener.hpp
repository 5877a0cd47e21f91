// Test helper: a listening TCP socket on 127.0.0.1 with a kernel-chosen port, for the raw test
// servers. REQUIREs that each call succeeds.
#pragma once

namespace idem::test {

struct LoopbackListener {
  int fd = -1;  ///< owned by the caller, who closes it
  int port = 0;
};

/// socket + bind 127.0.0.1:0 + listen(backlog).
LoopbackListener listen_on_loopback(int backlog);

}  // namespace idem::test
