// Hands the heap's free pages back to the system: glibc keeps freed memory in its arenas, so
// without it RSS stays at its peak after a load, a reload or a burst of clients.
#pragma once

#if defined(__GLIBC__)
#include <malloc.h>
#endif

// Under AddressSanitizer its allocator stands in for glibc's, which is then never set up:
// malloc_trim has nothing to give back and, from two threads at once, crashed in the sanitizer
// build (a SEGV in glibc's mtrim, reading its uninitialised arenas).
#if defined(__SANITIZE_ADDRESS__)
#define CIDNS_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CIDNS_UNDER_ASAN 1
#endif
#endif

namespace cidns::util {

inline void trim_memory() noexcept {
#if defined(__GLIBC__) && !defined(CIDNS_UNDER_ASAN)
  ::malloc_trim(0);
#endif
}

}  // namespace cidns::util
