// Latency histogram for cidns-perf: log-linear buckets (128 per power of two, so a
// reported percentile is within 1 % of the true value), fixed size, no allocation
// while recording. Values are nanoseconds.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace cidns::bench {

class latency_histogram {
 public:
  static constexpr unsigned sub_bits = 7;  // 128 sub-buckets per power of two
  static constexpr std::size_t sub_count = std::size_t{1} << sub_bits;
  // Up to 2^45 ns (~9.7 h): far beyond any timeout cidns-perf accepts.
  static constexpr unsigned max_exponent = 45;
  static constexpr std::size_t bucket_count = (max_exponent - sub_bits + 2) * sub_count;

  void record(std::uint64_t ns) noexcept {
    ++m_buckets[index(ns)];
    ++m_count;
    m_sum += ns;
    m_max = std::max(m_max, ns);
  }

  void merge(const latency_histogram& other) noexcept {
    for (std::size_t i = 0; i < bucket_count; ++i) m_buckets[i] += other.m_buckets[i];
    m_count += other.m_count;
    m_sum += other.m_sum;
    m_max = std::max(m_max, other.m_max);
  }

  std::uint64_t count() const noexcept { return m_count; }
  std::uint64_t max() const noexcept { return m_max; }
  double mean() const noexcept {
    return m_count == 0 ? 0.0 : static_cast<double>(m_sum) / static_cast<double>(m_count);
  }

  // The value at quantile q (0..1), nearest rank; the midpoint of its bucket, never
  // above the largest value recorded. 0 when empty.
  std::uint64_t quantile(double q) const noexcept {
    if (m_count == 0) return 0;
    auto rank = static_cast<std::uint64_t>(q * static_cast<double>(m_count) + 0.999999);
    rank = std::clamp<std::uint64_t>(rank, 1, m_count);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < bucket_count; ++i) {
      seen += m_buckets[i];
      if (seen >= rank) return std::min(midpoint(i), m_max);
    }
    return m_max;
  }

 private:
  static std::size_t index(std::uint64_t v) noexcept {
    if (v < sub_count) return static_cast<std::size_t>(v);
    const unsigned e = static_cast<unsigned>(std::bit_width(v)) - 1;  // >= sub_bits
    if (e > max_exponent) return bucket_count - 1;
    const auto m = static_cast<std::size_t>((v >> (e - sub_bits)) & (sub_count - 1));
    return (e - sub_bits + 1) * sub_count + m;
  }
  static std::uint64_t lower_bound(std::size_t i) noexcept {
    if (i < sub_count) return i;
    const std::size_t e = i / sub_count + sub_bits - 1;
    const std::uint64_t m = (i % sub_count) | sub_count;
    return m << (e - sub_bits);
  }
  static std::uint64_t midpoint(std::size_t i) noexcept {
    if (i < sub_count) return i;
    const std::uint64_t lo = lower_bound(i);
    const std::uint64_t width = std::uint64_t{1} << (i / sub_count - 1);
    return lo + width / 2;
  }

  std::array<std::uint64_t, bucket_count> m_buckets{};
  std::uint64_t m_count = 0;
  std::uint64_t m_sum = 0;
  std::uint64_t m_max = 0;
};

}  // namespace cidns::bench
