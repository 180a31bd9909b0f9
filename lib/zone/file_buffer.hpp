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

 private:
  void release() noexcept;
  void* m_map = nullptr;
  std::size_t m_map_size = 0;
  std::string m_data;  // when not mapped
};

}  // namespace cidns::zone::detail
