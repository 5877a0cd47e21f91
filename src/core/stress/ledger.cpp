#include "ledger.hpp"

namespace idem::stress {
namespace {

void violate(Verdict& v, Invariant i, const std::string& detail) {
  if (v.violated == 0) v.detail = detail;
  v.violated |= 1u << static_cast<int>(i);
}

std::string status_text(const LoadAnswer& a) {
  return std::to_string(a.status) + (a.replay_marker ? " (replayed)" : "");
}

void count_status(const LoadAnswer& a, StressOutcomes& o) {
  if (a.status >= 200 && a.status < 300) {
    ++(a.replay_marker ? o.replayed : o.executed);
  } else if (a.status == 409) {
    ++o.conflict;
  } else if (a.status >= 400 && a.status < 500) {
    ++o.rejected;
  }
}

}  // namespace

JudgeRules make_rules(const verify::Profile& p, CountMode count) {
  JudgeRules r;
  r.missing_key_judged = p.missing_key == "reject";
  r.malformed_exact_400 = p.malformed == "400";
  r.mismatch_status = p.mismatch == "none" ? 0 : std::stoi(p.mismatch);
  r.failure_replayed = p.server_error != "not-cached";
  r.count_by_identity = count != CountMode::ExecutionsUrl;
  return r;
}

Verdict judge(KeyEntry& k, RequestKind kind, const LoadAnswer& a, uint64_t identity,
              int64_t sent_us, int64_t done_us, const JudgeRules& rules, StressOutcomes& o,
              Observations& observed) {
  Verdict v;
  ++observed[static_cast<int>(Invariant::NoUnexpected5xx)];
  if (a.status >= 500) {
    const bool injected = kind == RequestKind::Failure ||
                          (k.op == Operation::Failure && rules.failure_replayed);
    if (injected) {
      ++o.failed_injected;
    } else {
      ++o.server_error;
      violate(v, Invariant::NoUnexpected5xx,
              "answered " + std::to_string(a.status) + " without a failure trigger");
    }
    return v;
  }

  if (kind == RequestKind::MissingKey || kind == RequestKind::InvalidKey) {
    const bool missing = kind == RequestKind::MissingKey;
    if (missing && !rules.missing_key_judged) {
      count_status(a, o);
      return v;
    }
    ++observed[static_cast<int>(Invariant::KeyRequired)];
    const bool refused = a.status == 400 || (!missing && !rules.malformed_exact_400 &&
                                             a.status >= 400 && a.status < 500);
    count_status(a, o);
    if (!refused) {
      violate(v, Invariant::KeyRequired,
              std::string(missing ? "a request without a key" : "a malformed key") +
                  " was answered " + status_text(a) + ", expected 400");
    }
    return v;
  }

  if (kind == RequestKind::Mismatch && rules.mismatch_status != 0) {
    ++observed[static_cast<int>(Invariant::MismatchRefused)];
    if (a.status == rules.mismatch_status) {
      ++o.mismatch;
    } else {
      count_status(a, o);
      violate(v, Invariant::MismatchRefused,
              "the key reused with another body was answered " + status_text(a) + ", expected " +
                  std::to_string(rules.mismatch_status));
    }
    return v;
  }
  count_status(a, o);
  if (kind == RequestKind::Mismatch) return v;

  if (k.answered && sent_us > k.answered_at_us) {
    ++observed[static_cast<int>(Invariant::ConflictOnlyInFlight)];
    if (a.status == 409) {
      violate(v, Invariant::ConflictOnlyInFlight,
              "409 to a request sent " + std::to_string(sent_us - k.answered_at_us) +
                  " us after the key's complete answer (" + std::to_string(k.first_status) +
                  ") had arrived");
    }
  }
  if (a.status == 409) return v;
  const bool success = a.status >= 200 && a.status < 300;
  if (success) {
    ++k.successes;
    if (rules.count_by_identity) {
      ++observed[static_cast<int>(Invariant::ExactlyOnce)];
      if (!k.identity_seen) {
        k.identity_seen = true;
        k.first_identity = identity;
      } else if (identity != k.first_identity && !k.counted_twice) {
        k.counted_twice = true;
        violate(v, Invariant::ExactlyOnce,
                "a second execution: this 2xx answer identifies another execution than the "
                "key's first one");
      }
    }
    if (k.has_first) {
      ++observed[static_cast<int>(Invariant::ReplayIdentical)];
      std::string diff;
      if (a.status != k.first_status) {
        diff = "status " + std::to_string(a.status) + " instead of " +
               std::to_string(k.first_status);
      } else if (a.body_hash != k.first_body_hash) {
        diff = "another body than the first answer's";
      } else if (a.replayed_headers_hash != k.first_headers_hash) {
        diff = "other Content-Type/Location/ETag/Link headers than the first answer's";
      }
      if (!diff.empty()) violate(v, Invariant::ReplayIdentical, "a repeat of the key got " + diff);
    } else {
      k.has_first = true;
      k.first_status = a.status;
      k.first_body_hash = a.body_hash;
      k.first_headers_hash = a.replayed_headers_hash;
    }
  }
  if (!k.answered) {
    k.answered = true;
    k.answered_at_us = done_us;
    if (k.first_status == 0) k.first_status = a.status;
  }
  return v;
}

}  // namespace idem::stress
