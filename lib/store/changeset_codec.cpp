// Encoding and decoding of journal values (changeset_codec.hpp).
#include "cidns/store/changeset_codec.hpp"

#include <exception>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cidns/util/byte_codec.hpp"

namespace cidns::store {
namespace {

using record::changeset;
using record::rr;

void put_be(std::string& out, std::uint64_t v, unsigned bytes) {
  util::put_uint(out, v, bytes, util::byte_order::big);
}
using util::put_varint;

void put_list(std::string& out, const std::vector<rr>& rrs, const name::identifier*& previous) {
  put_varint(out, rrs.size());
  for (const auto& r : rrs) {
    if (previous != nullptr && *previous == r.owner) {
      out.push_back('\0');
    } else {
      out.push_back(static_cast<char>(r.owner.text().size()));
      out += r.owner.text();
    }
    previous = &r.owner;
    put_be(out, static_cast<std::uint16_t>(r.type), 2);
    put_be(out, r.ttl, 4);
    put_varint(out, r.data.size());
    out += r.data;
  }
}

// util::byte_reader in this format's terms: big-endian integers, varints of at most 5 bytes
// in their shortest form (one encoding per value).
class reader : public util::byte_reader {
 public:
  using byte_reader::byte_reader;
  std::uint64_t be(unsigned bytes) { return uint(bytes, util::byte_order::big); }
  std::uint64_t varint() { return byte_reader::varint(5, true); }
};

constexpr std::size_t min_record_size = 8;  // owner length, type, ttl, data length

error fail(const reader& r, std::string_view what) {
  return make_error(fmt::format("changeset value: {} (at byte {})", what, r.pos()));
}

// One record; `previous` is the owner of the record before it (nullptr for the first).
result<rr> get_record(reader& r, const name::identifier* previous) {
  rr out;
  const auto owner_len = r.be(1);
  if (!r.ok()) return fail(r, "truncated");
  if (owner_len == 0) {
    if (previous == nullptr) return fail(r, "the first record repeats a previous owner");
    out.owner = *previous;
  } else {
    const std::string_view text = r.bytes(owner_len);
    if (!r.ok()) return fail(r, "truncated owner");
    auto parsed = name::identifier::parse(text);
    if (!parsed || parsed->text() != text) return fail(r, "owner is not a canonical name");
    if (previous != nullptr && *previous == *parsed) {
      return fail(r, "owner repeated in full (not the shortest form)");
    }
    out.owner = std::move(*parsed);
  }
  out.type = static_cast<record::rtype>(r.be(2));
  out.ttl = static_cast<std::uint32_t>(r.be(4));
  const auto len = r.varint();
  if (!r.ok()) return fail(r, "truncated record");
  if (out.type == record::rtype::none) return fail(r, "record type 0");
  if (out.ttl > record::max_ttl) return fail(r, "TTL above the maximum");
  if (len > max_record_data) return fail(r, "record data too long");
  out.data = std::string(r.bytes(len));
  if (!r.ok()) return fail(r, "truncated record data");
  return out;
}

// A list of records; `before` is the owner of the record before the list (nullptr: none).
result<void> get_list(reader& r, std::vector<rr>& out, const name::identifier* before,
                      std::size_t& total) {
  const std::uint64_t n = r.varint();
  if (!r.ok()) return fail(r, "bad record count");
  if (n > max_changeset_records - total) return fail(r, "too many records");
  if (n > r.left() / min_record_size) return fail(r, "record count beyond the value's end");
  total += n;
  out.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    auto rec = get_record(r, out.empty() ? before : &out.back().owner);
    if (!rec) return std::move(rec).err();
    out.push_back(std::move(*rec));
  }
  return {};
}

result<changeset> decode(std::string_view bytes) {
  if (bytes.size() > max_changeset_value) {
    return make_error(fmt::format("changeset value: {} bytes, above the limit", bytes.size()));
  }
  auto serials = decode_changeset_serials(bytes);
  if (!serials) return std::move(serials).err();
  reader r(bytes);
  (void)r.bytes(changeset_header_size);  // read above
  changeset c;
  c.from = serials->from;
  c.to = serials->to;
  std::size_t total = 0;
  if (auto ok = get_list(r, c.removed, nullptr, total); !ok) return std::move(ok).err();
  const name::identifier* last = c.removed.empty() ? nullptr : &c.removed.back().owner;
  if (auto ok = get_list(r, c.added, last, total); !ok) return std::move(ok).err();
  if (!r.at_end()) return fail(r, "bytes after the last record");
  return c;
}

}  // namespace

std::string encode_changeset(const changeset& c) {
  std::string out;
  out.push_back(static_cast<char>(changeset_format));
  put_be(out, c.from, 4);
  put_be(out, c.to, 4);
  const name::identifier* previous = nullptr;
  put_list(out, c.removed, previous);
  put_list(out, c.added, previous);
  return out;
}

result<changeset_serials> decode_changeset_serials(std::string_view bytes) {
  reader r(bytes);
  const auto version = r.be(1);
  changeset_serials s;
  s.from = static_cast<std::uint32_t>(r.be(4));
  s.to = static_cast<std::uint32_t>(r.be(4));
  if (!r.ok()) return fail(r, "truncated header");
  if (version != changeset_format) {
    return make_error(fmt::format("changeset value: unknown format {}", version));
  }
  return s;
}

result<changeset> decode_changeset(std::string_view bytes) {
  try {
    return decode(bytes);
  } catch (const std::exception& e) {  // std::bad_alloc: never out of a decoder
    return make_error(fmt::format("changeset value: {}", e.what()));
  }
}

result<void> check_changeset_limits(const changeset& c) {
  if (c.removed.size() + c.added.size() > max_changeset_records) {
    return make_error(fmt::format("changeset has {} records, above the limit of {}",
                                  c.removed.size() + c.added.size(), max_changeset_records));
  }
  std::uint64_t size = changeset_header_size + 10;
  for (const auto* list : {&c.removed, &c.added}) {
    for (const auto& r : *list) {
      if (r.type == record::rtype::none) return make_error("changeset has a record of type 0");
      if (r.ttl > record::max_ttl) {
        return make_error(
            fmt::format("changeset record {} has TTL {} above the maximum", r.owner.text(), r.ttl));
      }
      if (r.data.size() > max_record_data) {
        return make_error(fmt::format("changeset record {} has {} bytes of data, above {}",
                                      r.owner.text(), r.data.size(), max_record_data));
      }
      size += r.owner.text().size() + r.data.size() + 16;
    }
  }
  if (size > max_changeset_value) return make_error("changeset too large to store");
  return {};
}

}  // namespace cidns::store
