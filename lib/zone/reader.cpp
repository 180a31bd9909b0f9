// Zonefile reader: lexer entries -> directives and records (DESIGN §3, §5).
#include "cidns/zone/reader.hpp"
#include "cidns/util/text.hpp"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <memory>
#include <span>

#include <fmt/format.h>

#include "cidns/record/presentation.hpp"
#include "cidns/record/rtype.hpp"
#include "cidns/zone/lexer.hpp"
#include "cidns/zone/ttl.hpp"
#include "file_buffer.hpp"

namespace cidns::zone {
namespace {

using record::token;

std::string directory_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return {};
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string join_path(const std::string& dir, std::string_view name) {
  if (name.starts_with('/') || dir.empty()) return std::string(name);
  if (dir.ends_with('/')) return dir + std::string(name);
  return dir + "/" + std::string(name);
}

std::string real_path(const std::string& path) {
  std::unique_ptr<char, decltype(&std::free)> p(::realpath(path.c_str(), nullptr), &std::free);
  return p ? std::string(p.get()) : path;
}

// "unknown record type 'A'", with the cidns type meant when the name is a DNS one.
std::string unknown_type(std::string_view text) {
  struct hint {
    std::string_view dns, why;
  };
  static constexpr hint hints[] = {
      {"A", "cidns uses ADDR for addresses"},
      {"AAAA", "cidns uses ADDR for addresses"},
      {"SRV", "cidns uses EP for endpoints"},
      {"SVCB", "cidns uses EP for endpoints"},
      {"HTTPS", "cidns uses EP for endpoints"},
      {"URI", "cidns uses EP for endpoints"},
      {"DNSKEY", "cidns uses KEY for zone keys"},
      {"RRSIG", "cidns uses SIG for signatures"},
      {"NSEC3", "cidns uses NSEC for denial of existence"},
      {"SPF", "cidns uses TXT for text"},
  };
  for (const auto& h : hints) {
    if (equals_upper(text, h.dns)) return fmt::format("unknown record type '{}' ({})", text, h.why);
  }
  return fmt::format("unknown record type '{}'", text);
}

// The state of one file being read; an $INCLUDE gets its own.
struct file_state {
  std::uint32_t file = 0;  // index into contents::files
  unsigned depth = 0;
  std::string dir;  // for relative $INCLUDE paths
  std::optional<name::identifier> origin;
  std::optional<std::uint32_t> default_ttl;
  // The last $TTL was bad (and reported): records that would use it are not
  // reported again for having no TTL.
  bool default_ttl_bad = false;
  std::optional<name::identifier> owner;  // the previous record's owner
  std::string_view owner_text;            // as written, to skip re-parsing repeats
  std::uint64_t owner_origin_gen = 0;
  std::uint64_t origin_gen = 0;           // bumped when origin changes
  detail::file_buffer* buffer = nullptr;  // the file's mapping, given back as it is read
  bool first_origin_pending = false;      // top file: its first $ORIGIN names the zone
};

class reader_impl {
 public:
  reader_impl(const reader_options& options, load_result& out) : m_opt(options), m_out(out) {
    if (m_opt.origin) m_out.zone.origin = *m_opt.origin;
  }

  void read_top(std::string_view text, std::string name, detail::file_buffer* buffer) {
    file_state st;
    st.buffer = buffer;
    st.file = add_file(std::move(name));
    st.dir = directory_of(m_out.zone.files[st.file]);
    st.origin = m_opt.origin;
    st.first_origin_pending = true;
    m_stack.push_back(real_path(m_out.zone.files[st.file]));
    // Typical records take 60-200 bytes of text: reserve once, not per doubling.
    m_out.zone.records.reserve(text.size() / 128);
    m_out.zone.positions.reserve(text.size() / 128);
    read(text, st);
    if (!m_opt.origin && !m_origin_seen && !m_stopped) {
      // Zone-wide: reported first, at the top file's line 1.
      report(st.file, 1, 1, "no origin: give the zone's name (--origin) or a $ORIGIN directive");
      auto& d = m_out.diagnostics;
      std::rotate(d.begin(), d.end() - 1, d.end());
    }
  }

 private:
  std::uint32_t add_file(std::string name) {
    m_out.zone.files.push_back(std::move(name));
    return static_cast<std::uint32_t>(m_out.zone.files.size() - 1);
  }

  void report(std::uint32_t file, std::uint32_t line, std::uint32_t col, std::string message) {
    if (m_stopped) return;
    m_out.diagnostics.push_back(diagnostic{severity::error, file, line, col, std::move(message)});
    if (++m_out.errors >= m_opt.max_errors) {
      m_out.diagnostics.push_back(
          diagnostic{severity::error, file, line, col,
                     fmt::format("too many errors ({}), giving up on the zone", m_out.errors)});
      m_stopped = true;
    }
  }
  void report(const file_state& st, const token& at, std::string message) {
    report(st.file, at.line, at.col, std::move(message));
  }
  // An error from a parser of one token: its col is 1-based inside the token.
  void report_in(const file_state& st, const token& at, const error& e, std::string_view what) {
    std::uint32_t col = at.col + (e.col > 0 ? e.col - 1 : 0);
    report(st.file, at.line, col, fmt::format("{} '{}': {}", what, at.text, e.message));
  }

  const name::identifier& origin_or_root(const file_state& st) const {
    return st.origin ? *st.origin : m_root;
  }

  void read(std::string_view text, file_state& st) {
    lexer lex(text);
    bool blank = false;
    while (!m_stopped) {
      if (st.buffer != nullptr) st.buffer->release_before(lex.position());
      auto s = lex.next(m_tokens, blank);
      if (s == lexer::status::end) break;
      if (s == lexer::status::error) {
        const auto& e = lex.last_error();
        report(st.file, e.line, e.col, e.message);
        continue;
      }
      if (!blank && m_tokens[0].text.starts_with('$') && !m_tokens[0].quoted) {
        directive(st);
      } else {
        entry(st, blank);
      }
    }
  }

  void directive(file_state& st) {
    // Copy: an $INCLUDE reuses m_tokens for the included file.
    const std::vector<token> t = m_tokens;
    const token& d = t[0];
    if (equals_upper(d.text, "$ORIGIN")) {
      if (t.size() != 2) return report(st, d, "$ORIGIN takes one name");
      auto n = name::identifier::parse(t[1].text, st.origin ? &*st.origin : nullptr);
      if (!n) return report_in(st, t[1], n.err(), "bad $ORIGIN");
      if (st.first_origin_pending) {
        st.first_origin_pending = false;
        m_origin_seen = true;
        if (m_opt.origin && *n != *m_opt.origin) {
          report(st, t[1],
                 fmt::format("$ORIGIN {} contradicts the zone's origin {}", n->text(),
                             m_opt.origin->text()));
        } else if (!m_opt.origin) {
          m_out.zone.origin = *n;
        }
      }
      st.origin = std::move(*n);
      ++st.origin_gen;
    } else if (equals_upper(d.text, "$TTL")) {
      st.default_ttl_bad = true;
      if (t.size() != 2) return report(st, d, "$TTL takes one TTL");
      auto v = parse_ttl(t[1].text);
      if (!v) return report_in(st, t[1], v.err(), "bad $TTL");
      st.default_ttl = *v;
      st.default_ttl_bad = false;
    } else if (equals_upper(d.text, "$INCLUDE")) {
      include(st, t);
    } else {
      report(st, d, fmt::format("unknown directive '{}' (known: $ORIGIN, $TTL, $INCLUDE)", d.text));
    }
  }

  void include(file_state& st, const std::vector<token>& t) {
    const token& d = t[0];
    if (!m_opt.allow_include) return report(st, d, "$INCLUDE is not allowed here");
    if (t.size() < 2 || t.size() > 3)
      return report(st, d, "$INCLUDE takes a file name and an optional origin");
    file_state sub;
    sub.depth = st.depth + 1;
    sub.default_ttl = st.default_ttl;
    sub.default_ttl_bad = st.default_ttl_bad;
    sub.origin = st.origin;
    if (t.size() == 3) {
      auto n = name::identifier::parse(t[2].text, st.origin ? &*st.origin : nullptr);
      if (!n) return report_in(st, t[2], n.err(), "bad $INCLUDE origin");
      sub.origin = std::move(*n);
    }
    if (sub.depth > m_opt.include_depth) {
      return report(st, d,
                    fmt::format("$INCLUDE nested more than {} levels deep", m_opt.include_depth));
    }
    std::string path = join_path(st.dir, t[1].text);
    std::string real = real_path(path);
    for (const auto& open : m_stack) {
      if (open == real)
        return report(st, t[1], fmt::format("$INCLUDE cycle: {} is already being read", path));
    }
    auto buf = detail::file_buffer::open(path);
    if (!buf) return report(st, t[1], buf.err().message);
    sub.file = add_file(path);
    sub.dir = directory_of(path);
    m_stack.push_back(std::move(real));
    sub.buffer = &*buf;
    read(buf->view(), sub);
    m_stack.pop_back();
  }

  void entry(file_state& st, bool blank) {
    std::span<const token> t(m_tokens);
    std::size_t i = 0;
    if (!blank) {
      const token& o = t[0];
      if (!(st.owner && o.text == st.owner_text && st.owner_origin_gen == st.origin_gen)) {
        if (o.quoted) return report(st, o, "an owner name cannot be quoted");
        auto n = name::identifier::parse(o.text, origin_or_root(st));
        if (!n) return report_in(st, o, n.err(), "bad owner name");
        st.owner = std::move(*n);
        st.owner_text = o.text;
        st.owner_origin_gen = st.origin_gen;
      }
      i = 1;
    } else if (!st.owner) {
      return report(st, t[0], "no owner: the first record of a file must name one");
    }

    std::optional<std::uint32_t> ttl;
    bool have_class = false;
    for (; i < t.size(); ++i) {
      const token& x = t[i];
      if (x.quoted) break;
      if (!x.text.empty() && x.text[0] >= '0' && x.text[0] <= '9') {
        if (ttl) return report(st, x, "a second TTL");
        auto v = parse_ttl(x.text);
        if (!v) return report_in(st, x, v.err(), "bad TTL");
        ttl = *v;
      } else if (equals_upper(x.text, "IN")) {
        if (have_class) return report(st, x, "a second class");
        have_class = true;
      } else if (equals_upper(x.text, "CH") || equals_upper(x.text, "HS") ||
                 equals_upper(x.text, "CS")) {
        return report(st, x, fmt::format("class {} is not supported (only IN)", x.text));
      } else {
        break;
      }
    }
    if (i == t.size()) return report(st, t.back(), "missing record type after this");
    const token& tt = t[i];
    auto type = tt.quoted ? std::nullopt : record::parse_type(tt.text);
    if (!type) return report(st, tt, unknown_type(tt.text));
    if (*type == record::rtype::none || *type == record::rtype::resource) {
      return report(st, tt, fmt::format("{} is not a record type", tt.text));
    }
    if (!ttl && st.default_ttl_bad) {
      ttl = 0;  // the bad $TTL was reported; still check the data
    } else if (!ttl) {
      if (!st.default_ttl) return report(st, t[0], "no TTL and no $TTL");
      ttl = st.default_ttl;
    }
    auto data = record::parse_data(*type, t.subspan(i + 1), origin_or_root(st));
    if (!data) {
      const auto& e = data.err();
      if (e.line > 0) return report(st.file, e.line, e.col > 0 ? e.col : 1, e.message);
      return report(st, tt, e.message);
    }
    const bool generic = i + 1 < t.size() && !t[i + 1].quoted && t[i + 1].text == "\\#";
    m_out.zone.add(record::rr{*st.owner, *type, *ttl, std::move(*data)},
                   source_pos{m_ordinal++, st.file, t[0].line, t[0].col, !generic});
  }

  const reader_options& m_opt;
  load_result& m_out;
  std::vector<token> m_tokens;
  std::vector<std::string> m_stack;  // real paths of the files being read
  const name::identifier m_root;
  std::uint32_t m_ordinal = 0;
  bool m_origin_seen = false;
  bool m_stopped = false;
};

// The text of a top file, with its mapping (given back as it is read) when there is one.
load_result read_top_file(std::string_view text, std::string file_name,
                          const reader_options& options, detail::file_buffer* buffer) {
  load_result out;
  reader_impl r(options, out);
  r.read_top(text, std::move(file_name), buffer);
  return out;
}

}  // namespace

load_result read_text(std::string_view text, std::string file_name, const reader_options& options) {
  return read_top_file(text, std::move(file_name), options, nullptr);
}

result<load_result> read_file(const std::string& path, const reader_options& options) {
  auto buf = detail::file_buffer::open(path);
  if (!buf) return std::move(buf).err();
  return read_top_file(buf->view(), path, options, &*buf);
}

}  // namespace cidns::zone
