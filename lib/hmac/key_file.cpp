// The shared key file (key.hpp): "field: value" lines, parsed without throwing, and written
// atomically with mode 0600. No OpenSSL here: the fuzz target compiles this file alone.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "cidns/hmac/key.hpp"
#include "cidns/name/identifier.hpp"
#include "cidns/record/base_encoding.hpp"
#include "cidns/util/atomic_file.hpp"

namespace cidns::hmac {
namespace {

constexpr std::string_view algorithm_name = "hmac-sha256";
constexpr std::size_t max_file_size = 64 * 1024;

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// Overwrites a copy of the secret before its memory goes back to the allocator.
void wipe(std::string& s) {
  volatile char* p = s.data();
  for (std::size_t i = 0; i < s.size(); ++i) p[i] = 0;
  s.clear();
}

struct parser {
  std::string_view file;
  std::uint32_t line = 0;
  std::optional<std::string> name, algorithm, secret;

  error fail(const std::string& what) const {
    return make_error(fmt::format("{}:{}: {}", file, line, what), line);
  }

  result<void> set(std::string_view field, std::string_view value) {
    std::optional<std::string>* slot = field == "name"        ? &name
                                       : field == "algorithm" ? &algorithm
                                       : field == "secret"    ? &secret
                                                              : nullptr;
    if (slot == nullptr) {
      return fail(fmt::format("unknown field '{}' (name, algorithm, secret)", field));
    }
    if (slot->has_value()) return fail(fmt::format("'{}' given twice", field));
    if (value.empty()) return fail(fmt::format("'{}' has no value", field));
    if (slot == &name) {
      auto n = name::identifier::parse(value);
      if (!n) return fail(fmt::format("bad key name '{}': {}", value, n.err().message));
      name = n->text();
    } else if (slot == &algorithm) {
      if (value != algorithm_name) {
        return fail(
            fmt::format("unknown algorithm '{}' (cidns keys are {})", value, algorithm_name));
      }
      algorithm = std::string(value);
    } else {
      auto bytes = record::base64_decode(value);
      if (!bytes) {
        return fail(fmt::format("secret is not base64 (column {}): {}", bytes.err().col,
                                bytes.err().message));
      }
      if (bytes->size() < min_secret_size || bytes->size() > max_secret_size) {
        auto n = bytes->size();
        wipe(*bytes);
        return fail(fmt::format("the secret is {} bytes; it takes {} to {}", n, min_secret_size,
                                max_secret_size));
      }
      secret = std::move(*bytes);
    }
    return {};
  }

  result<void> parse_line(std::string_view text) {
    text = trim(text);
    if (text.empty() || text.front() == '#') return {};
    auto colon = text.find(':');
    if (colon == std::string_view::npos) return fail("expected 'field: value'");
    return set(trim(text.substr(0, colon)), trim(text.substr(colon + 1)));
  }
};

}  // namespace

result<key> parse_key_file(std::string_view text, std::string_view file_name) {
  parser p;
  p.file = file_name;
  if (text.size() > max_file_size) {
    return make_error(fmt::format("{}: larger than {} bytes", file_name, max_file_size));
  }
  while (!text.empty() || p.line == 0) {
    ++p.line;
    auto end = text.find('\n');
    auto r = p.parse_line(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (!r) {
      if (p.secret) wipe(*p.secret);
      return std::move(r).err();
    }
  }
  for (const auto& [field, slot] :
       {std::pair{"name", &p.name}, std::pair{"algorithm", &p.algorithm},
        std::pair{"secret", &p.secret}}) {
    if (!slot->has_value()) {
      if (p.secret) wipe(*p.secret);
      return p.fail(fmt::format("missing field '{}' (the file ends here)", field));
    }
  }
  return key{std::move(*p.name), std::move(*p.secret)};
}

std::string format_key_file(const key& k) {
  std::string out = "# cidns shared key (transaction authentication): keep it secret\n";
  out += fmt::format("name: {}\nalgorithm: {}\nsecret: ", k.name, algorithm_name);
  record::base64_append(k.secret, out);
  out += '\n';
  return out;
}

result<key> read_key_file(const std::filesystem::path& path) {
  const std::string file = path.string();
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(fmt::format("cannot open {}: {}", file, std::strerror(errno)));
  std::string text;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      wipe(text);
      return make_error(fmt::format("cannot read {}: {}", file, std::strerror(err)));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > max_file_size) break;  // parse_key_file reports it
  }
  ::close(fd);
  auto k = parse_key_file(text, file);
  wipe(text);
  return k;
}

void write_key_file(const std::filesystem::path& path, const key& k) {
  std::string text = format_key_file(k);
  auto written = util::write_file_atomically(path.string(), text, 0600);
  wipe(text);
  if (!written) throw std::runtime_error(written.err().message);
}

bool create_key_file(const std::filesystem::path& path, const key& k) {
  std::string text = format_key_file(k);
  auto created = util::create_file_atomically(path.string(), text, 0600);
  wipe(text);
  if (!created) throw std::runtime_error(created.err().message);
  return *created;
}

}  // namespace cidns::hmac
