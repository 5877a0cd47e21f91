// A latency histogram with HdrHistogram's log-linear bucket layout: values in microseconds from 1
// to 1 hour at 3 significant digits (lowest discernible value 1, 2048 sub-buckets, 22 buckets),
// fixed memory, mergeable. The layout is HdrHistogram's so that a report can later carry it in
// HdrHistogram's encoding and other tools compute the same percentiles. Not thread-safe: one per
// thread, merged after the threads joined.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace idem {

class Histogram {
 public:
  static constexpr int64_t kLowest = 1;                       ///< 1 µs
  static constexpr int64_t kHighest = 3'600'000'000;          ///< 1 h in µs
  static constexpr int kSignificantDigits = 3;
  static constexpr int kSubBucketCount = 2048;                 ///< 2 * 10^3 rounded up to 2^11
  static constexpr int kSubBucketHalfCountMagnitude = 10;
  static constexpr int kSubBucketHalfCount = 1024;
  static constexpr int kBucketCount = 22;                      ///< 2048 << 21 > kHighest
  static constexpr int kCountsLength = (kBucketCount + 1) * kSubBucketHalfCount;

  Histogram();

  /// Counts `value` µs once; values below 1 count as 1, above kHighest as kHighest (and are
  /// counted in clamped()). Allocation-free.
  void record(int64_t value) noexcept;
  /// Adds every count of `other` (same layout): the histogram of the union of both samples.
  void merge(const Histogram& other) noexcept;
  void reset() noexcept;

  /// The non-zero counts as (counts index, count): a compact copy of a sparse histogram (a
  /// per-second series keeps one per second instead of the whole layout). Allocates.
  std::vector<std::pair<int, uint64_t>> nonzero_counts() const;
  /// Adds `count` samples at counts index `index` (0 <= index < kCountsLength), as taken from
  /// nonzero_counts(): min, max and mean then know only the bucket, not the exact values.
  void add_counts(int index, uint64_t count) noexcept;
  /// After add_counts(): puts back the exact min, max, sum and clamped count that a report saved
  /// beside the counts, so that a histogram read back equals the one recorded (a merge of
  /// reports then keeps exact extremes and means). Ignored on an empty histogram.
  void restore_exact(int64_t min, int64_t max, long double sum, uint64_t clamped) noexcept;

  uint64_t total() const { return total_; }
  uint64_t clamped() const { return clamped_; }
  int64_t min() const { return total_ == 0 ? 0 : min_; }  ///< exact
  int64_t max() const { return max_; }                     ///< exact
  double mean() const;
  long double sum() const { return sum_; }  ///< exact sum of the recorded values

  /// The highest value equivalent to the one below which `percentile` % of the samples fall
  /// (HdrHistogram's Java getValueAtPercentile: the rank is ceil(p/100 * total), at least 1, so
  /// that HdrHistogram tools reading our logs compute the same value), never above max(); 0 when
  /// empty. percentile 100 gives max().
  int64_t value_at_percentile(double percentile) const;

  /// Layout access, for writers that encode the counts.
  const std::vector<uint64_t>& counts() const { return counts_; }
  static int counts_index(int64_t value) noexcept;
  static int64_t value_at_index(int index) noexcept;       ///< lowest equivalent value
  static int64_t highest_equivalent(int64_t value) noexcept;

 private:
  std::vector<uint64_t> counts_;
  uint64_t total_ = 0;
  uint64_t clamped_ = 0;
  int64_t min_ = INT64_MAX;
  int64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace idem
