#include "header_name_check.hpp"

#include "request_builder.hpp"
#include "scenario_run.hpp"

namespace idem::verify {
namespace {

struct Probe {
  bool replayed = false;
  std::vector<Exchange> exchanges;
};

// Sends one new key twice under `key_header` ("profile" or "alternate"): a 2xx first answer
// replayed byte for byte by the second means the target honours that header.
Probe probe(RunShared& shared, const std::string& key_header) {
  RunContext ctx(shared, ++shared.run_counter);
  RequestSpec spec;
  spec.key = "k";
  spec.key_header = key_header;
  Probe out;
  for (const char* label : {"first", "retry"}) {
    auto ex = build_exchange(ctx, spec, std::nullopt, 0);
    if (!ex) return out;
    ex->label = std::string(label) + " with " +
                (key_header == "profile" ? shared.options.profile.key_header
                                         : alternate_key_header(shared.options.profile.key_header));
    ex->response = shared.send(ex->request);
    ctx.evidence.push_back(*ex);
    out.exchanges.push_back(std::move(ex).value());
  }
  const auto& a = out.exchanges[0].response;
  const auto& b = out.exchanges[1].response;
  out.replayed = a.ok() && b.ok() && a.response.status / 100 == 2 &&
                 a.response.status == b.response.status && a.response.body == b.response.body;
  return out;
}

}  // namespace

std::string run_header_name_check(RunShared& shared, CheckResult& result) {
  const Probe own = probe(shared, "profile");
  if (own.replayed) return "";
  const Probe other = probe(shared, "alternate");
  const std::string header = shared.options.profile.key_header;
  const std::string alternate = alternate_key_header(header);
  if (!other.replayed) {
    // No replay at all: nothing shows which header the target keys by (SEMANTICS §4).
    result.verdict = Verdict::Skip;
    result.reason = "no replay with " + header + " nor with " + alternate +
                    ": the target's key header cannot be told";
    result.exchanges = to_records(own.exchanges);
    return "";
  }
  result.verdict = Verdict::Warn;
  result.reason = "the target ignores " + header + " but honours " + alternate;
  result.expected = "a replay with " + header;
  std::vector<Exchange> all = own.exchanges;
  all.insert(all.end(), other.exchanges.begin(), other.exchanges.end());
  result.exchanges = to_records(all);
  return "the target keys requests by " + alternate + ", not " + header +
         ": run with --key-header " + alternate +
         (alternate == "X-Idempotency-Key" ? " (or --profile fiber)" : "");
}

}  // namespace idem::verify
