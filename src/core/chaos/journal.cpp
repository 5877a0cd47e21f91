// Journal: NDJSON lines written under one mutex and flushed per line, so a journal read while
// the proxy runs (or after it was killed) ends with whole lines.
#include "idem/chaos/journal.hpp"

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

namespace idem::chaos {
namespace {

nlohmann::json exchange_json(const UpstreamExchange& u) {
  nlohmann::json j;
  j["status"] = u.status;
  if (!u.error.empty()) j["error"] = u.error;
  if (u.status > 0) j["body_sha256"] = u.body_sha256;
  j["replayed"] = u.replayed;
  j["ms"] = u.ms;
  return j;
}

}  // namespace

std::string_view to_string(ClientOutcome outcome) {
  switch (outcome) {
    case ClientOutcome::Answered: return "answered";
    case ClientOutcome::Closed: return "closed";
    case ClientOutcome::Reset: return "reset";
    case ClientOutcome::Hang: return "hang";
    case ClientOutcome::Truncated: return "truncated";
  }
  return "unknown";
}

std::string to_ndjson(const JournalEntry& e) {
  nlohmann::json j;
  j["seq"] = e.seq;
  j["at_ms"] = e.at_ms;
  j["method"] = e.method;
  j["path"] = e.path;
  j["key"] = e.key.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.key);
  j["faults"] = e.faults;
  j["upstream"] = e.upstream ? exchange_json(*e.upstream) : nlohmann::json(nullptr);
  if (e.duplicate) j["duplicate"] = exchange_json(*e.duplicate);
  j["client"] = std::string(to_string(e.client));
  j["answer_lost"] = e.answer_lost;
  if (e.client_status > 0) j["client_status"] = e.client_status;
  j["total_ms"] = e.total_ms;
  // Replace: a key or path is client input and need not be UTF-8.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<void> Journal::open(const std::string& path) {
  if (path.empty()) return {};
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) {
    return make_error(ErrorCode::InvalidArgument,
                      "--journal " + path + ": cannot open for writing: " + std::strerror(errno));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (file_ != nullptr) std::fclose(file_);
  file_ = f;
  return {};
}

namespace {

void add_exchange(KeyStory& story, const UpstreamExchange& u) {
  if (u.status < 200 || u.status > 299) return;
  if (story.distinct_2xx_bodies == 0) {
    story.first_2xx_sha256 = u.body_sha256;
    story.distinct_2xx_bodies = 1;
  } else if (u.body_sha256 != story.first_2xx_sha256 && story.distinct_2xx_bodies < 255) {
    // Counts bodies that differ from the first; a third execution whose body repeats the second
    // is still counted, since nothing but the first is kept.
    ++story.distinct_2xx_bodies;
  }
}

}  // namespace

void Journal::follow(const JournalEntry& e) {
  if (e.key.empty()) return;
  auto it = stories_.find(e.key);
  if (it == stories_.end()) {
    if (stories_.size() >= kMaxStoryKeys) {
      stories_overflow_ = true;
      return;
    }
    it = stories_.emplace(e.key, KeyStory{}).first;
  }
  KeyStory& story = it->second;
  ++story.requests;
  if (e.upstream) add_exchange(story, *e.upstream);
  if (e.duplicate) add_exchange(story, *e.duplicate);
  if (e.answer_lost) {
    ++story.lost;
  } else if (story.lost > 0 && e.upstream && e.upstream->status > 0 &&
             e.client == ClientOutcome::Answered) {
    story.answered_after_loss = true;
  }
}

std::vector<std::pair<std::string, KeyStory>> Journal::key_stories() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return {stories_.begin(), stories_.end()};
}

bool Journal::key_stories_complete() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return !stories_overflow_;
}

void Journal::write(JournalEntry entry) {
  std::lock_guard<std::mutex> lock(mutex_);
  entry.seq = next_seq_++;
  follow(entry);
  if (file_ != nullptr) {
    const std::string line = to_ndjson(entry) + "\n";
    std::fwrite(line.data(), 1, line.size(), file_);
    std::fflush(file_);
  }
  if (kept_.size() < kMaxJournalEntriesInMemory) kept_.push_back(std::move(entry));
}

std::vector<JournalEntry> Journal::entries() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return kept_;
}

void Journal::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  kept_.clear();
  stories_.clear();
  stories_overflow_ = false;
}

Journal::~Journal() {
  if (file_ != nullptr) std::fclose(file_);
}

}  // namespace idem::chaos
