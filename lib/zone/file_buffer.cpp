// Reading whole files for the zone reader.
#include "file_buffer.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace cidns::zone::detail {
namespace {

struct fd_guard {
  int fd;
  ~fd_guard() {
    if (fd >= 0) ::close(fd);
  }
};

error io_error(const std::string& path, int err) {
  return make_error(fmt::format("cannot read {}: {}", path, std::strerror(err)));
}

}  // namespace

file_buffer::file_buffer(file_buffer&& other) noexcept
    : m_map(std::exchange(other.m_map, nullptr)),
      m_map_size(std::exchange(other.m_map_size, 0)),
      m_released(std::exchange(other.m_released, 0)),
      m_data(std::move(other.m_data)) {}

file_buffer& file_buffer::operator=(file_buffer&& other) noexcept {
  if (this != &other) {
    release();
    m_map = std::exchange(other.m_map, nullptr);
    m_map_size = std::exchange(other.m_map_size, 0);
    m_released = std::exchange(other.m_released, 0);
    m_data = std::move(other.m_data);
  }
  return *this;
}

file_buffer::~file_buffer() { release(); }

void file_buffer::release() noexcept {
  if (m_map != nullptr) ::munmap(m_map, m_map_size);
  m_map = nullptr;
  m_map_size = 0;
  m_released = 0;
}

void file_buffer::release_before(const char* at) noexcept {
  if (m_map == nullptr) return;
  const auto* base = static_cast<const char*>(m_map);
  if (at < base || at > base + m_map_size) return;
  static const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t upto = static_cast<std::size_t>(at - base) / page * page;
  constexpr std::size_t step = std::size_t{16} << 20;
  if (upto < m_released + step) return;
  ::madvise(static_cast<char*>(m_map) + m_released, upto - m_released, MADV_DONTNEED);
  m_released = upto;
}

std::string_view file_buffer::view() const noexcept {
  if (m_map != nullptr) return {static_cast<const char*>(m_map), m_map_size};
  return m_data;
}

result<file_buffer> file_buffer::open(const std::string& path) {
  fd_guard f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) return io_error(path, errno);
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return io_error(path, errno);
  if (S_ISDIR(st.st_mode)) return io_error(path, EISDIR);
  file_buffer buf;
  if (S_ISREG(st.st_mode) && st.st_size > 0) {
    auto size = static_cast<std::size_t>(st.st_size);
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, f.fd, 0);
    if (p != MAP_FAILED) {
      ::madvise(p, size, MADV_SEQUENTIAL);
      buf.m_map = p;
      buf.m_map_size = size;
      return buf;
    }
  }
  char chunk[65536];
  while (true) {
    ssize_t n = ::read(f.fd, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(path, errno);
    }
    if (n == 0) break;
    buf.m_data.append(chunk, static_cast<std::size_t>(n));
  }
  return buf;
}

}  // namespace cidns::zone::detail
