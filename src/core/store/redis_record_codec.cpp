#include "store/redis_record_codec.hpp"

#include <charconv>

namespace idem {
namespace {

// Bounds that no real response reaches; they keep a corrupt record from asking for absurd
// allocations.
constexpr size_t kMaxHeaders = 10'000;

Error corrupt(std::string_view what) {
  return make_error(ErrorCode::Internal, "corrupt stored response in Redis: " + std::string(what));
}

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  // Reads a decimal number ended by `sep`.
  bool number(size_t& out, char sep) {
    const char* begin = data_.data() + pos_;
    const char* end = data_.data() + data_.size();
    auto [ptr, ec] = std::from_chars(begin, end, out);
    if (ec != std::errc() || ptr == begin || ptr == end || *ptr != sep) return false;
    pos_ = static_cast<size_t>(ptr - data_.data()) + 1;
    return true;
  }
  bool bytes(size_t n, std::string& out) {
    if (n > data_.size() - pos_) return false;
    out.assign(data_.substr(pos_, n));
    pos_ += n;
    return true;
  }
  std::string_view rest() const { return data_.substr(pos_); }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace

std::string encode_response(const HttpResponse& response) {
  std::string head =
      std::to_string(response.status) + " " + std::to_string(response.headers.size()) + "\n";
  for (const auto& [name, value] : response.headers) {
    head += std::to_string(name.size()) + " " + std::to_string(value.size()) + "\n";
    head += name;
    head += value;
  }
  std::string out;
  out.reserve(head.size() + response.body.size());
  out += head;
  out += response.body;
  return out;
}

Result<HttpResponse> decode_response(std::string_view data) {
  Reader in(data);
  size_t status = 0;
  size_t count = 0;
  if (!in.number(status, ' ') || !in.number(count, '\n')) return corrupt("bad head");
  if (status < 100 || status > 999) return corrupt("bad status");
  if (count > kMaxHeaders) return corrupt("too many headers");
  HttpResponse out;
  out.status = static_cast<int>(status);
  out.headers.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    size_t name_len = 0;
    size_t value_len = 0;
    std::string name;
    std::string value;
    if (!in.number(name_len, ' ') || !in.number(value_len, '\n') || !in.bytes(name_len, name) ||
        !in.bytes(value_len, value)) {
      return corrupt("truncated header");
    }
    out.headers.emplace_back(std::move(name), std::move(value));
  }
  out.body.assign(in.rest());
  return out;
}

}  // namespace idem
