// What an XFR request asks for: a full transfer, or the changes since a serial (writer.hpp).
#include <fmt/format.h>

#include "cidns/record/data.hpp"
#include "cidns/xfr/writer.hpp"

namespace cidns::xfr {

result<std::optional<std::uint32_t>> requested_serial(const wire::message& request) {
  if (request.authority.empty()) return std::optional<std::uint32_t>{};
  if (request.authority.size() != 1) {
    return make_error(fmt::format("an XFR request holds at most one record (its SOA), not {}",
                                  request.authority.size()));
  }
  const record::rr& r = request.authority.front();
  if (r.type != record::rtype::soa) {
    return make_error(fmt::format("an XFR request's authority holds a {} record, not an SOA",
                                  record::type_name(r.type)));
  }
  if (request.question && r.owner != request.question->name) {
    return make_error(fmt::format("the SOA of an XFR request is owned by {}, not the zone {}",
                                  r.owner.text(), request.question->name.text()));
  }
  auto soa = record::soa::decode(r.data);
  if (!soa) return make_error("the SOA of an XFR request does not decode: " + soa.err().message);
  return std::optional<std::uint32_t>{soa->serial};
}

}  // namespace cidns::xfr
