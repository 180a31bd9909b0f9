// Writing a file so that a crash leaves either the old file or the new one, never a part:
// a temporary file beside it, written and fsync'd, then renamed over it (or linked, when the
// target must not exist yet), then the folder fsync'd so the rename itself is durable.
// Key files, zone write-back and anything else that must not be lost go through here.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "cidns/util/result.hpp"

namespace cidns::util {

namespace detail {

inline std::string folder_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

inline bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// A new temporary file beside `path` holding `bytes`, with `mode` whatever the umask, synced;
// its name.
inline result<std::string> write_temporary(const std::string& path, std::string_view bytes,
                                           mode_t mode) {
  static std::atomic<unsigned> counter{0};
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
    tmp = fmt::format("{}.tmp-{}-{}", path, ::getpid(), counter.fetch_add(1));
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) return make_error(fmt::format("cannot create {}: {}", tmp, std::strerror(errno)));
  const char* failed = nullptr;
  if (::fchmod(fd, mode) != 0) {
    failed = "cannot set the mode of";
  } else if (!write_all(fd, bytes)) {
    failed = "cannot write";
  } else if (::fsync(fd) != 0) {
    failed = "cannot fsync";
  }
  const int err = errno;
  if (::close(fd) != 0 && failed == nullptr) failed = "cannot close";
  if (failed != nullptr) {
    ::unlink(tmp.c_str());
    return make_error(fmt::format("{} {}: {}", failed, tmp, std::strerror(err)));
  }
  return tmp;
}

// A rename or link is durable once the folder is on disk too.
inline result<void> sync_folder(const std::string& path) {
  const std::string folder = folder_of(path);
  const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const bool synced = dir >= 0 && ::fsync(dir) == 0;
  const int err = errno;
  if (dir >= 0) ::close(dir);
  if (synced) return {};
  return make_error(fmt::format("wrote {}, but cannot fsync its folder {}: {}", path, folder,
                                std::strerror(err)));
}

}  // namespace detail

// Writes `bytes` to `path` (replacing it) with permissions `mode` (0600 for secrets). Errors
// name the file and the system's reason; the temporary file is removed on failure.
inline result<void> write_file_atomically(const std::string& path, std::string_view bytes,
                                          mode_t mode) {
  auto tmp = detail::write_temporary(path, bytes, mode);
  if (!tmp) return std::move(tmp).err();
  if (::rename(tmp->c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp->c_str());
    return make_error(fmt::format("cannot rename {} to {}: {}", *tmp, path, std::strerror(err)));
  }
  return detail::sync_folder(path);
}

// The same for a file that must not exist yet: false (and nothing written) when `path` exists.
// link() refuses instead of replacing, so there is no window where a file could be lost.
inline result<bool> create_file_atomically(const std::string& path, std::string_view bytes,
                                           mode_t mode) {
  auto tmp = detail::write_temporary(path, bytes, mode);
  if (!tmp) return std::move(tmp).err();
  const int rc = ::link(tmp->c_str(), path.c_str());
  const int err = errno;
  ::unlink(tmp->c_str());
  if (rc != 0 && err == EEXIST) return false;
  if (rc != 0) {
    return make_error(fmt::format("cannot create {}: {}", path, std::strerror(err)));
  }
  if (auto synced = detail::sync_folder(path); !synced) return std::move(synced).err();
  return true;
}

}  // namespace cidns::util
