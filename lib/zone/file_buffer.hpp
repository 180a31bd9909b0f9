// The whole contents of a file in memory: mapped when it is a regular file,
// read otherwise (pipes, /dev/stdin). Private to lib/zone.
#pragma once

#include <string>
#include <string_view>

#include "cidns/util/result.hpp"

namespace cidns::zone::detail {

class file_buffer {
 public:
  file_buffer() = default;
  file_buffer(const file_buffer&) = delete;
  file_buffer& operator=(const file_buffer&) = delete;
  file_buffer(file_buffer&& other) noexcept;
  file_buffer& operator=(file_buffer&& other) noexcept;
  ~file_buffer();

  // Fails with "cannot read FILE: reason".
  static result<file_buffer> open(const std::string& path);

  std::string_view view() const noexcept;
  // Gives the mapped pages wholly before `at` (a pointer into view()) back to the kernel, once
  // a few megabytes have been read past them: a zonefile being read then holds a window of
  // itself in memory, not all of it. The pages are the file's own: read again, they come
  // back from it unchanged. Nothing for a file that was read rather than mapped.
  void release_before(const char* at) noexcept;

 private:
  void release() noexcept;
  void* m_map = nullptr;
  std::size_t m_map_size = 0;
  std::size_t m_released = 0;  // bytes at the start of the map given back
  std::string m_data;          // when not mapped
};

}  // namespace cidns::zone::detail
