// Text and JSON presentation of messages (records via lib/record's presentation).
#include "cidns/wire/print.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cidns/record/presentation.hpp"
#include "cidns/record/rtype.hpp"

namespace cidns::wire {
namespace {

std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    auto u = static_cast<unsigned char>(c);
    out.push_back(digits[u >> 4U]);
    out.push_back(digits[u & 0x0fU]);
  }
  return out;
}

nlohmann::json flags_json(std::uint32_t flags) {
  auto arr = nlohmann::json::array();
  std::string text = flags_text(flags);
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    arr.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return arr;
}

nlohmann::json section_json(const std::vector<record::rr>& rrs) {
  auto arr = nlohmann::json::array();
  for (const auto& r : rrs) arr.push_back(record::to_json(r));
  return arr;
}

// Text that may hold anything a peer sent, as one quoted line.
std::string quote_text(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\{:03d}", u);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

void format_section(std::string& out, const char* title, const std::vector<record::rr>& rrs) {
  if (rrs.empty()) return;
  out += fmt::format("\n;; {} SECTION:\n", title);
  for (const auto& r : rrs) {
    out += record::format_rr(r);
    out.push_back('\n');
  }
}

// UPDATE kinds by their proto names without the prefix ("rrset_exists", "add").
const char* kind_name(prerequisite_kind k) {
  switch (k) {
    case prerequisite_kind::rrset_exists:
      return "rrset_exists";
    case prerequisite_kind::rrset_equals:
      return "rrset_equals";
    case prerequisite_kind::rrset_absent:
      return "rrset_absent";
    case prerequisite_kind::name_in_use:
      return "name_in_use";
    case prerequisite_kind::name_absent:
      return "name_absent";
  }
  return "unknown";
}

const char* kind_name(change_kind k) {
  switch (k) {
    case change_kind::add:
      return "add";
    case change_kind::delete_record:
      return "delete_record";
    case change_kind::delete_rrset:
      return "delete_rrset";
    case change_kind::delete_name:
      return "delete_name";
  }
  return "unknown";
}

// What of an UPDATE entry's record its kind uses: the type (else none), the data, the TTL.
struct entry_parts {
  bool type = true;
  bool data = false;
  bool ttl = false;
};

entry_parts parts_of(prerequisite_kind k) {
  switch (k) {
    case prerequisite_kind::rrset_equals:
      return {true, true, false};
    case prerequisite_kind::name_in_use:
    case prerequisite_kind::name_absent:
      return {false, false, false};
    default:
      return {};
  }
}

entry_parts parts_of(change_kind k) {
  switch (k) {
    case change_kind::add:
      return {true, true, true};
    case change_kind::delete_record:
      return {true, true, false};
    case change_kind::delete_name:
      return {false, false, false};
    default:
      return {};
  }
}

// "KIND NAME [TTL] [TYPE [DATA]]", e.g. "add a.provx. 300 EP 10 1 grpc ...".
template <typename Kind>
std::string format_entry(Kind kind, const record::rr& r) {
  const entry_parts use = parts_of(kind);
  std::string out = fmt::format("{} {}", kind_name(kind), r.owner.text());
  if (use.ttl) out += fmt::format(" {}", r.ttl);
  if (use.type || r.type != record::rtype::none) out += " " + record::type_name(r.type);
  if (use.data || !r.data.empty()) {
    out.push_back(' ');
    record::format_data(r.type, r.data, out);
  }
  return out;
}

// {"kind", "record"}: the whole record (record::to_json) for the kinds that carry data,
// else {"name"} and "type" for the kinds that take one.
template <typename Kind>
nlohmann::json entry_json(Kind kind, const record::rr& r) {
  const entry_parts use = parts_of(kind);
  nlohmann::json rec;
  if (use.data) {
    rec = record::to_json(r);
  } else {
    rec["name"] = r.owner.text();
    if (use.type || r.type != record::rtype::none) rec["type"] = record::type_name(r.type);
  }
  return {{"kind", kind_name(kind)}, {"record", std::move(rec)}};
}

template <typename Entry>
nlohmann::json entries_json(const std::vector<Entry>& list) {
  auto arr = nlohmann::json::array();
  for (const auto& e : list) arr.push_back(entry_json(e.kind, e.record));
  return arr;
}

template <typename Entry>
void format_entries(std::string& out, const char* title, const std::vector<Entry>& list) {
  if (list.empty()) return;
  out += fmt::format("\n;; {} SECTION:\n", title);
  for (const auto& e : list) {
    out += format_entry(e.kind, e.record);
    out.push_back('\n');
  }
}

}  // namespace

nlohmann::json to_json(const message& m) {
  nlohmann::json j;
  j["id"] = m.id;
  j["opcode"] = opcode_name(m.opcode);
  j["rcode"] = rcode_name(m.rcode);
  j["flags"] = flags_json(m.flags);
  if (m.question) {
    j["question"] = {{"name", m.question->name.text()},
                     {"type", record::type_name(m.question->type)}};
  }
  j["answer"] = section_json(m.answer);
  j["authority"] = section_json(m.authority);
  j["additional"] = section_json(m.additional);
  if (m.max_size != 0) j["max_size"] = m.max_size;
  if (!m.cookie.empty()) j["cookie"] = hex(m.cookie);
  if (!m.selector.empty()) j["selector"] = m.selector;
  if (m.deadline != 0) j["deadline"] = m.deadline;
  if (m.auth) {
    j["auth"] = {{"key", m.auth->key},
                 {"time", m.auth->time},
                 {"fudge", m.auth->fudge},
                 {"mac", hex(m.auth->mac)}};
  }
  if (m.error) {
    j["error"] = {
        {"code", m.error->code}, {"name", error_code_name(m.error->code)}, {"text", m.error->text}};
  }
  if (!m.prerequisites.empty()) j["prerequisites"] = entries_json(m.prerequisites);
  if (!m.changes.empty()) j["changes"] = entries_json(m.changes);
  return j;
}

std::string format_message(const message& m) {
  std::string out = fmt::format(";; opcode: {}, status: {}, id: {}\n", opcode_name(m.opcode),
                                rcode_name(m.rcode), m.id);
  out += fmt::format(";; flags: {}; QUESTION: {}, ANSWER: {}, AUTHORITY: {}, ADDITIONAL: {}\n",
                     flags_text(m.flags), m.question ? 1 : 0, m.answer.size(), m.authority.size(),
                     m.additional.size());
  if (m.max_size != 0) out += fmt::format(";; max_size: {}\n", m.max_size);
  if (!m.cookie.empty()) out += fmt::format(";; cookie: {}\n", hex(m.cookie));
  if (!m.selector.empty()) out += fmt::format(";; selector: {}\n", quote_text(m.selector));
  if (m.deadline != 0) out += fmt::format(";; deadline: {} ms\n", m.deadline);
  if (m.auth) {
    out += fmt::format(";; auth: key {} time {} fudge {} mac {}\n", quote_text(m.auth->key),
                       m.auth->time, m.auth->fudge, hex(m.auth->mac));
  }
  if (m.error) {
    out += fmt::format(";; error: {} ({}) {}\n", m.error->code, error_code_name(m.error->code),
                       quote_text(m.error->text));
  }
  if (m.question) {
    out += fmt::format("\n;; QUESTION SECTION:\n;{} {}\n", m.question->name.text(),
                       record::type_name(m.question->type));
  }
  format_section(out, "ANSWER", m.answer);
  format_section(out, "AUTHORITY", m.authority);
  format_section(out, "ADDITIONAL", m.additional);
  format_entries(out, "PREREQUISITE", m.prerequisites);
  format_entries(out, "CHANGE", m.changes);
  return out;
}

}  // namespace cidns::wire
