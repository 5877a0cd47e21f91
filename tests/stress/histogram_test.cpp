#include "idem/stress/histogram.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

using idem::Histogram;

namespace {

// The sample's value at `percentile` by the nearest-rank rule of HdrHistogram's Java
// implementation: rank ceil(p/100 * n), at least 1.
int64_t exact_percentile(std::vector<int64_t> values, double percentile) {
  std::sort(values.begin(), values.end());
  // Less one ulp, as Java does, so that 99.9% of 1000 (999.0000000000001 in floating point) is
  // rank 999.
  const double fractional = percentile / 100.0 * static_cast<double>(values.size());
  const double ulp = std::nextafter(fractional, INFINITY) - fractional;
  const auto rank = std::max<size_t>(1, static_cast<size_t>(std::ceil(fractional - ulp)));
  return values[rank - 1];
}

std::vector<int64_t> lognormal_sample(unsigned seed, size_t n) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> dist(6.0, 1.5);  // median ~400 µs, long tail
  std::vector<int64_t> out;
  for (size_t i = 0; i < n; ++i) out.push_back(static_cast<int64_t>(dist(rng)) + 1);
  return out;
}

}  // namespace

TEST_CASE("Histogram: the layout is HdrHistogram's for 1 us..1 h at 3 significant digits",
          "[histogram]") {
  CHECK(Histogram::kCountsLength == 23552);
  // Below 2048 every value has its own slot.
  for (int64_t v : {1, 2, 1000, 2047}) {
    CHECK(Histogram::value_at_index(Histogram::counts_index(v)) == v);
  }
  // Above, a slot is 2^k wide; 3 significant digits hold everywhere up to an hour.
  for (int64_t v : {2048LL, 4097LL, 1'000'003LL, 3'599'999'999LL}) {
    const int64_t low = Histogram::value_at_index(Histogram::counts_index(v));
    const int64_t high = Histogram::highest_equivalent(v);
    CHECK(low <= v);
    CHECK(v <= high);
    CHECK(static_cast<double>(high - low + 1) / static_cast<double>(v) <= 1.0 / 1000.0);
  }
  CHECK(Histogram::counts_index(Histogram::kHighest) < Histogram::kCountsLength);
}

TEST_CASE("Histogram: the percentile rank rounds up as HdrHistogram's Java implementation does",
          "[histogram]") {
  // 1051 values 1..1051: p99 is at rank ceil(1040.49) = 1041, where rounding to the nearest
  // rank (HdrHistogram_c) would say 1040.
  Histogram h;
  for (int64_t v = 1; v <= 1051; ++v) h.record(v);
  CHECK(h.value_at_percentile(99) == 1041);
  // 99.9 / 100 * 1000 is 999.0000000000001 in binary floating point: still rank 999, not 1000.
  Histogram k;
  for (int64_t v = 1; v <= 1000; ++v) k.record(v);
  CHECK(k.value_at_percentile(99.9) == 999);
  CHECK(k.value_at_percentile(0) == 1);
}

TEST_CASE("Histogram: percentiles match the sorted sample within the precision",
          "[histogram]") {
  const auto values = lognormal_sample(7, 100'000);
  Histogram h;
  for (int64_t v : values) h.record(v);
  CHECK(h.total() == values.size());
  CHECK(h.max() == *std::max_element(values.begin(), values.end()));
  CHECK(h.min() == *std::min_element(values.begin(), values.end()));
  for (double p : {50.0, 90.0, 99.0, 99.9, 99.99}) {
    const auto exact = static_cast<double>(exact_percentile(values, p));
    const auto got = static_cast<double>(h.value_at_percentile(p));
    INFO("p" << p << " exact " << exact << " got " << got);
    CHECK(got >= exact);
    CHECK(got <= exact * 1.001 + 1);
  }
}

TEST_CASE("Histogram: merging two histograms gives the histogram of the union", "[histogram]") {
  const auto a = lognormal_sample(1, 20'000);
  const auto b = lognormal_sample(2, 30'000);
  Histogram ha, hb, hu;
  for (int64_t v : a) ha.record(v), hu.record(v);
  for (int64_t v : b) hb.record(v), hu.record(v);
  ha.merge(hb);
  CHECK(ha.counts() == hu.counts());
  CHECK(ha.total() == hu.total());
  CHECK(ha.max() == hu.max());
  CHECK(ha.min() == hu.min());
  CHECK(ha.value_at_percentile(99.9) == hu.value_at_percentile(99.9));
  CHECK(std::abs(ha.mean() - hu.mean()) < 1e-6);
}

TEST_CASE("Histogram: values beyond an hour are clamped and counted as such", "[histogram]") {
  Histogram h;
  h.record(0);
  h.record(Histogram::kHighest * 2);
  CHECK(h.total() == 2);
  CHECK(h.clamped() == 1);
  CHECK(h.min() == 1);
  CHECK(h.max() == Histogram::kHighest);
  Histogram empty;
  CHECK(empty.value_at_percentile(99) == 0);
  CHECK(empty.min() == 0);
}

TEST_CASE("Histogram: a compact copy of two histograms adds up to their union's percentiles",
          "[histogram]") {
  const auto a = lognormal_sample(3, 5'000);
  const auto b = lognormal_sample(4, 7'000);
  Histogram ha, hb, hu;
  for (int64_t v : a) ha.record(v), hu.record(v);
  for (int64_t v : b) hb.record(v), hu.record(v);
  const auto ca = ha.nonzero_counts();
  CHECK(ca.size() < static_cast<size_t>(Histogram::kCountsLength) / 4);  // sparse
  Histogram rebuilt;
  for (const auto& [index, count] : ca) rebuilt.add_counts(index, count);
  for (const auto& [index, count] : hb.nonzero_counts()) rebuilt.add_counts(index, count);
  CHECK(rebuilt.counts() == hu.counts());
  CHECK(rebuilt.total() == hu.total());
  for (const double p : {50.0, 90.0, 99.0}) {
    CHECK(rebuilt.value_at_percentile(p) == hu.value_at_percentile(p));
  }
  CHECK(rebuilt.max() == Histogram::highest_equivalent(hu.max()));
  CHECK(Histogram().nonzero_counts().empty());
}
