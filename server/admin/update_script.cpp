// cidns-admin update's command language: lines of add / del / require / send into UPDATE
// messages, the record data parsed by lib/record's presentation parser (as zonefiles are).
#include "update_script.hpp"

#include <span>
#include <string>

#include <fmt/format.h>

#include "cidns/record/presentation.hpp"
#include "cidns/record/rtype.hpp"
#include "cidns/record/token.hpp"
#include "cidns/zone/ttl.hpp"

namespace cidns::admin {
namespace {

using record::token;
using tokens = std::span<const token>;

// Parses one script; `m_line` is the line being read, for error messages.
class script_parser {
 public:
  explicit script_parser(const name::identifier& zone) : m_zone(zone) { start(); }

  result<void> line(std::uint32_t number, std::string_view text) {
    m_line = number;
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos || text[first] == '#') return {};
    auto t = record::tokenize_line(text);
    if (!t) return fail(t.err().message);
    if (t->empty()) return {};
    const tokens all(*t);
    const std::string_view verb = all[0].quoted ? std::string_view{} : all[0].text;
    if (verb == "add") return add(all.subspan(1));
    if (verb == "del" || verb == "delete") return del(all.subspan(1));
    if (verb == "require") return require(all.subspan(1));
    if (verb == "send") {
      if (all.size() > 1) return fail("send takes no arguments");
      return send();
    }
    return fail(
        fmt::format("unknown command '{}' (expected add, del, require or send)", all[0].text));
  }

  result<void> send() {
    if (m_msg.prerequisites.empty() && m_msg.changes.empty()) return {};
    const std::size_t size = wire::encode(m_msg).size();
    if (size > wire::max_message_size) {
      return fail(fmt::format("the message is {} bytes long, at most {} allowed (send sooner)",
                              size, wire::max_message_size));
    }
    m_out.push_back(std::move(m_msg));
    start();
    return {};
  }

  std::vector<wire::message>& messages() { return m_out; }

 private:
  void start() {
    m_msg = wire::message{};
    m_msg.opcode = wire::opcode::update;
    m_msg.question = wire::question{m_zone, record::rtype::soa};
  }

  error fail(std::string_view what) const {
    return make_error(fmt::format("line {}: {}", m_line, what), m_line);
  }

  result<name::identifier> owner(const token& t) const {
    auto id = name::identifier::parse(t.text, m_zone);
    if (!id) return fail(fmt::format("invalid name '{}': {}", t.text, id.err().message));
    return id;
  }

  result<record::rtype> type(const token& t) const {
    auto ty = t.quoted ? std::nullopt : record::parse_type(t.text);
    if (!ty) return fail(fmt::format("unknown record type '{}'", t.text));
    if (*ty == record::rtype::none || *ty == record::rtype::resource) {
      return fail(fmt::format("{} is not a record type", t.text));
    }
    return *ty;
  }

  result<std::string> data(record::rtype ty, tokens t) const {
    auto d = record::parse_data(ty, t, m_zone);
    if (!d) return fail(d.err().message);
    return d;
  }

  // The record of a command: NAME [TYPE [DATA...]] from `t`, the type and data only where
  // `t` has them.
  result<record::rr> record_of(tokens t) const {
    record::rr r;
    auto o = owner(t[0]);
    if (!o) return std::move(o).err();
    r.owner = std::move(*o);
    if (t.size() < 2) return r;
    auto ty = type(t[1]);
    if (!ty) return std::move(ty).err();
    r.type = *ty;
    if (t.size() < 3) return r;
    auto d = data(r.type, t.subspan(2));
    if (!d) return std::move(d).err();
    r.data = std::move(*d);
    return r;
  }

  result<void> add(tokens t) {
    if (t.size() < 3) return fail("usage: add NAME TTL TYPE DATA");
    auto ttl = zone::parse_ttl(t[1].text);
    if (!ttl) return fail(fmt::format("invalid TTL '{}': {}", t[1].text, ttl.err().message));
    std::vector<token> rest{t[0]};
    rest.insert(rest.end(), t.begin() + 2, t.end());
    auto r = record_of(rest);
    if (!r) return std::move(r).err();
    if (t.size() == 3) {  // no data tokens: what the type's parser says of none
      auto d = data(r->type, {});
      if (!d) return std::move(d).err();
      r->data = std::move(*d);
    }
    r->ttl = *ttl;
    return push_change(wire::change_kind::add, std::move(*r));
  }

  result<void> del(tokens t) {
    if (t.empty()) return fail("usage: del NAME [TYPE [DATA]]");
    auto r = record_of(t);
    if (!r) return std::move(r).err();
    const auto kind = t.size() == 1   ? wire::change_kind::delete_name
                      : t.size() == 2 ? wire::change_kind::delete_rrset
                                      : wire::change_kind::delete_record;
    return push_change(kind, std::move(*r));
  }

  result<void> require(tokens t) {
    const std::string_view how = t.empty() || t[0].quoted ? std::string_view{} : t[0].text;
    if (how != "exists" && how != "absent") {
      return fail("usage: require exists NAME [TYPE [DATA]] | require absent NAME [TYPE]");
    }
    t = t.subspan(1);
    if (t.empty()) return fail(fmt::format("usage: require {} NAME [TYPE ...]", how));
    if (how == "absent" && t.size() > 2) return fail("require absent takes no data");
    auto r = record_of(t);
    if (!r) return std::move(r).err();
    using pk = wire::prerequisite_kind;
    pk kind = pk::name_in_use;
    if (how == "exists") {
      kind = t.size() == 1 ? pk::name_in_use : t.size() == 2 ? pk::rrset_exists : pk::rrset_equals;
    } else {
      kind = t.size() == 1 ? pk::name_absent : pk::rrset_absent;
    }
    if (m_msg.prerequisites.size() >= wire::max_records_per_section) {
      return fail(fmt::format("more than {} prerequisites in one message (send sooner)",
                              wire::max_records_per_section));
    }
    m_msg.prerequisites.push_back({kind, std::move(*r)});
    return {};
  }

  result<void> push_change(wire::change_kind kind, record::rr r) {
    if (m_msg.changes.size() >= wire::max_records_per_section) {
      return fail(fmt::format("more than {} changes in one message (send sooner)",
                              wire::max_records_per_section));
    }
    m_msg.changes.push_back({kind, std::move(r)});
    return {};
  }

  const name::identifier& m_zone;
  wire::message m_msg;
  std::vector<wire::message> m_out;
  std::uint32_t m_line = 0;
};

}  // namespace

result<std::vector<wire::message>> parse_update_script(std::string_view text,
                                                       const name::identifier& zone) {
  script_parser p(zone);
  std::uint32_t number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    ++number;
    if (auto ok = p.line(number, line); !ok) return std::move(ok).err();
  }
  if (auto ok = p.send(); !ok) return std::move(ok).err();
  return std::move(p.messages());
}

}  // namespace cidns::admin
