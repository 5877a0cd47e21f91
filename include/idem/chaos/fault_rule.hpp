// A chaos fault rule: which fault, on which requests, how often. One grammar for the command
// line (`--fault SPEC`), the admin API and stress's `--chaos SPEC`:
//
//   KIND[=ARG][,OPTION]...
//   drop-response[=close|reset|hang|truncate]   forward, then fail the client
//   replace-status=502|503|504                  forward, then answer that status
//   abort[=STATUS]                              answer STATUS (default 503) without forwarding
//   delay-request=DUR  delay-response=DUR       hold the request or the answer
//   duplicate-forward                           send the request to the upstream twice
//   OPTION: p=PROBABILITY (0..1), every=N, first-attempt-per-key, method=M, path=PREFIX,
//           header=NAME or header=NAME:VALUE, jitter=DUR (delays only)
//
// Pure values and pure functions; the proxy keeps the per-rule state (rule_set.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "idem/clock.hpp"
#include "idem/result.hpp"

namespace idem::chaos {

enum class FaultKind : uint8_t {
  DropResponse,
  ReplaceStatus,
  Abort,
  DelayRequest,
  DelayResponse,
  DuplicateForward,
};

/// How drop-response fails the client after the upstream answered.
enum class LossMode : uint8_t {
  Close,     ///< close the connection without a byte (FIN)
  Reset,     ///< abort the connection (RST)
  Hang,      ///< hold the connection, unanswered, until the client gives up
  Truncate,  ///< send the head and part of the body, then close
};

/// A delay, with its jitter, is at most this long: a load run must stay bounded.
inline constexpr Millis kMaxFaultDelay{60'000};
/// Rules in one rule set (the command line, one admin replace, one stress --chaos).
inline constexpr size_t kMaxRules = 64;
/// Longest SPEC text accepted.
inline constexpr size_t kMaxSpecLength = 1024;

struct FaultRule {
  FaultKind kind = FaultKind::DropResponse;
  LossMode loss = LossMode::Close;  ///< drop-response
  int status = 0;                   ///< replace-status, abort
  Millis delay{0};                  ///< delay-request, delay-response
  Millis jitter{0};                 ///< the delay is delay + uniform [0, jitter]

  double probability = 1.0;
  uint64_t every = 0;  ///< 0: every candidate; N: only the Nth, 2Nth, ... candidate
  bool first_attempt_per_key = false;
  std::string method;       ///< empty: any (compared case-insensitively)
  std::string path_prefix;  ///< empty: any
  std::string header_name;  ///< empty: any
  std::string header_value;  ///< empty: the header's presence is enough

  /// Forwards, then keeps the upstream's answer from the client (it was executed, the client
  /// cannot know).
  bool loses_answer() const {
    return kind == FaultKind::DropResponse || kind == FaultKind::ReplaceStatus;
  }
  /// Decides the client's answer: at most one terminal rule applies to a request.
  bool terminal() const { return loses_answer() || kind == FaultKind::Abort; }
};

/// The selection options a rule takes when its SPEC does not set them (the command line's
/// --probability, --every, --first-attempt-per-key, --match-*).
using RuleDefaults = FaultRule;

/// Parses one SPEC. InvalidArgument naming the bad part and what was expected, e.g.
/// "replace-status=418: expected 502, 503 or 504".
Result<FaultRule> parse_fault_rule(std::string_view spec, const RuleDefaults& defaults = {});
/// Parses every SPEC, at most kMaxRules of them.
Result<std::vector<FaultRule>> parse_fault_rules(const std::vector<std::string>& specs,
                                                 const RuleDefaults& defaults = {});

/// The fault's name with its argument: "drop-response=reset", "delay-request=200ms". This is
/// the `Idemctl-Chaos` header's value and the journal's name for it.
std::string fault_name(const FaultRule& rule);
/// The whole rule in SPEC form; parse_fault_rule(to_spec(r)) gives r back.
std::string to_spec(const FaultRule& rule);

std::string_view to_string(FaultKind kind);
std::string_view to_string(LossMode mode);

}  // namespace idem::chaos
