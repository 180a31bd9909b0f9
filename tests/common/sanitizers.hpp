// Whether this test binary runs under AddressSanitizer: its allocator keeps freed memory in
// quarantine and its shadow memory and threads use descriptors, so tests that measure RSS or
// exhaust file descriptors skip themselves there (they run in the Release build).
#pragma once

namespace cidns::test {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool under_asan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool under_asan = true;
#else
inline constexpr bool under_asan = false;
#endif
#else
inline constexpr bool under_asan = false;
#endif

}  // namespace cidns::test

// First statement of a test that measures memory or descriptors.
#define CIDNS_SKIP_UNDER_ASAN()                                  \
  do {                                                           \
    if (::cidns::test::under_asan)                               \
      GTEST_SKIP() << "RSS and descriptor figures need a build " \
                      "without AddressSanitizer";                \
  } while (0)
