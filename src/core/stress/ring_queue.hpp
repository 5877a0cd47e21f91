// A FIFO of trivially copyable values on one growable ring buffer: push and pop never allocate
// once it has grown to the largest size it holds (std::deque allocates and frees a block every
// few dozen operations). Private to src/core/stress; one thread.
#pragma once

#include <cstddef>
#include <type_traits>
#include <vector>

namespace idem::stress {

template <class T>
class RingQueue {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  explicit RingQueue(size_t capacity = 16) { buffer_.resize(round_up(capacity)); }

  bool empty() const { return head_ == tail_; }
  size_t size() const { return tail_ - head_; }
  size_t capacity() const { return buffer_.size(); }
  T& front() { return buffer_[head_ & (buffer_.size() - 1)]; }
  void pop_front() { ++head_; }
  void push_back(const T& value) {
    if (size() == buffer_.size()) grow();
    buffer_[tail_++ & (buffer_.size() - 1)] = value;
  }

 private:
  static size_t round_up(size_t n) {
    size_t c = 1;
    while (c < n) c <<= 1;
    return c;
  }
  void grow() {
    std::vector<T> bigger(buffer_.size() * 2);
    const size_t n = size();
    for (size_t i = 0; i < n; ++i) bigger[i] = buffer_[(head_ + i) & (buffer_.size() - 1)];
    buffer_.swap(bigger);
    head_ = 0;
    tail_ = n;
  }

  std::vector<T> buffer_;  ///< size is a power of two
  size_t head_ = 0;        ///< counts pops
  size_t tail_ = 0;        ///< counts pushes
};

}  // namespace idem::stress
