#include "idem/stress/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace idem {
namespace {

constexpr int64_t kSubBucketMask = Histogram::kSubBucketCount - 1;

// HdrHistogram's getBucketIndex with unit magnitude 0.
int bucket_index(int64_t value) noexcept {
  const int pow2_ceiling = 64 - std::countl_zero(static_cast<uint64_t>(value | kSubBucketMask));
  return pow2_ceiling - (Histogram::kSubBucketHalfCountMagnitude + 1);
}

int64_t size_of_equivalent_range(int64_t value) noexcept {
  const int b = bucket_index(value);
  const int64_t sub = value >> b;
  const int adjusted = sub >= Histogram::kSubBucketCount ? b + 1 : b;
  return int64_t{1} << adjusted;
}

static_assert((int64_t{Histogram::kSubBucketCount} << (Histogram::kBucketCount - 1)) >
              Histogram::kHighest);
static_assert((int64_t{Histogram::kSubBucketCount} << (Histogram::kBucketCount - 2)) <=
              Histogram::kHighest);

}  // namespace

Histogram::Histogram() : counts_(kCountsLength, 0) {}

int Histogram::counts_index(int64_t value) noexcept {
  const int b = bucket_index(value);
  const auto sub = static_cast<int>(value >> b);
  return ((b + 1) << kSubBucketHalfCountMagnitude) + (sub - kSubBucketHalfCount);
}

int64_t Histogram::value_at_index(int index) noexcept {
  int b = (index >> kSubBucketHalfCountMagnitude) - 1;
  int sub = (index & (kSubBucketHalfCount - 1)) + kSubBucketHalfCount;
  if (b < 0) {
    sub -= kSubBucketHalfCount;
    b = 0;
  }
  return int64_t{sub} << b;
}

int64_t Histogram::highest_equivalent(int64_t value) noexcept {
  const int64_t lowest = value_at_index(counts_index(value));
  return lowest + size_of_equivalent_range(value) - 1;
}

void Histogram::record(int64_t value) noexcept {
  if (value < kLowest) value = kLowest;
  if (value > kHighest) {
    value = kHighest;
    ++clamped_;
  }
  ++counts_[static_cast<size_t>(counts_index(value))];
  ++total_;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ += static_cast<long double>(value);
}

void Histogram::merge(const Histogram& other) noexcept {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
  clamped_ += other.clamped_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

void Histogram::reset() noexcept {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_ = 0;
  clamped_ = 0;
  min_ = INT64_MAX;
  max_ = 0;
  sum_ = 0;
}

std::vector<std::pair<int, uint64_t>> Histogram::nonzero_counts() const {
  std::vector<std::pair<int, uint64_t>> out;
  if (total_ == 0) return out;
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] != 0) out.emplace_back(static_cast<int>(i), counts_[i]);
  }
  return out;
}

void Histogram::add_counts(int index, uint64_t count) noexcept {
  if (count == 0 || index < 0 || index >= kCountsLength) return;
  const int64_t lowest = value_at_index(index);
  counts_[static_cast<size_t>(index)] += count;
  total_ += count;
  min_ = std::min(min_, lowest);
  max_ = std::max(max_, highest_equivalent(lowest));
  sum_ += static_cast<long double>(lowest) * static_cast<long double>(count);
}

void Histogram::restore_exact(int64_t min, int64_t max, long double sum,
                              uint64_t clamped) noexcept {
  if (total_ == 0) return;
  min_ = min;
  max_ = max;
  sum_ = sum;
  clamped_ = clamped;
}

double Histogram::mean() const {
  return total_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(total_));
}

int64_t Histogram::value_at_percentile(double percentile) const {
  if (total_ == 0) return 0;
  if (percentile >= 100.0) return max_;
  const double p = std::max(0.0, percentile);
  // Java's rule: round the fractional rank up, minus one ulp so that a product like
  // 0.99 * 1000 = 990.0000000000001 does not skip a count.
  const double rank = p / 100.0 * static_cast<double>(total_);
  const double ulp = std::nextafter(rank, INFINITY) - rank;
  const auto wanted = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(rank - ulp)));
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= wanted) {
      return std::min(max_, highest_equivalent(value_at_index(static_cast<int>(i))));
    }
  }
  return max_;
}

}  // namespace idem
