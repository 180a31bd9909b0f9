// cidns-lookup --discover output: the table and the JSON. Values are written by the record
// library's presentation (units, prices, enumerations), one field at a time.
#include "discover_output.hpp"

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cidns/record/presentation.hpp"
#include "cidns/wire/message.hpp"

namespace cidns::lookup {

namespace {

constexpr std::string_view absent = "-";

// The presentation text of one DESC field, `set` copying it into an otherwise empty DESC,
// as the zonefile writes it ("80GiB", "2.5", "accel-hour").
template <typename Setter>
std::string desc_value(std::string_view key, Setter set) {
  record::desc one;
  set(one);
  const std::string text = record::format_data(record::rtype::desc, one.encode());
  const std::string prefix = fmt::format("{}=", key);
  if (text.starts_with(prefix)) return text.substr(prefix.size());
  return std::string(absent);
}

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

std::string accel_cell(const record::desc& d) {
  std::string out;
  if (d.accel_family) {
    out = *d.accel_family;
  } else if (d.accel_model) {
    out = *d.accel_model;
  }
  if (d.accel_count) out += fmt::format("{}×{}", out.empty() ? "" : " ", *d.accel_count);
  return out.empty() ? std::string(absent) : out;
}

std::string price_cell(const record::desc& d) {
  if (!d.price) return std::string(absent);
  std::string out = desc_value("price", [&](record::desc& o) { o.price = d.price; });
  if (d.price_currency) out += fmt::format(" {}", *d.price_currency);
  if (d.price_unit)
    out += "/" + desc_value("price.unit", [&](record::desc& o) { o.price_unit = d.price_unit; });
  return out;
}

// "grpc gw1.provx.example:443": protocol, host and port of the EP's presentation.
std::string endpoint_cell(const record::ep& e) {
  const std::string text = record::format_data(record::rtype::ep, e.encode());
  const auto w = words(text);
  if (w.size() < 5) return text;
  const bool v6 = w[3].find(':') != std::string_view::npos;
  if (v6) return fmt::format("{} [{}]:{}", w[2], w[3], w[4]);
  return fmt::format("{} {}:{}", w[2], w[3], w[4]);
}

// Display width of UTF-8 text (one column per code point: "×" is one).
std::size_t width(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

using cells = std::array<std::string, 9>;

cells cells_of(const discover_row& r) {
  return {r.name, r.kind, r.accel, r.memory, r.region, r.price, r.free, r.endpoint, r.validation};
}

std::string format_table(const std::vector<cells>& rows) {
  std::array<std::size_t, 9> widths{};
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], width(row[i]));
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - width(row[i]) + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

std::string join_names(const std::vector<name::identifier>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n.text();
  return out;
}

std::string status_lines(const stub::discovery& d, const discover_request& asked) {
  const wire::message& reply = d.lookup.reply;
  std::string out;
  if (d.partial)
    out += fmt::format(";; PARTIAL: {}\n",
                       d.partial_reason.empty() ? "some zones did not answer" : d.partial_reason);
  if (!d.delegations.empty())
    out += fmt::format(";; delegations not followed: {}\n", join_names(d.delegations));
  switch (d.kind) {
    case stub::outcome::failure: {
      std::string why = wire::rcode_name(reply.rcode);
      if (reply.error)
        why +=
            fmt::format(" ({}: {})", wire::error_code_name(reply.error->code), reply.error->text);
      out += fmt::format(";; DISCOVER failed: {}\n", why);
      if (d.validation.state == stub::validation::bogus)
        out += fmt::format(";; VALIDATION: {}\n", d.validation.text());
      break;
    }
    case stub::outcome::nxdomain:
      out += fmt::format(";; no such scope: {} (NXDOMAIN)\n", asked.scope.text());
      break;
    default: {
      const std::size_t n = d.resources.size();
      out += fmt::format(";; {} resource{}, {}\n", n, n == 1 ? "" : "s", d.validation.text());
      break;
    }
  }
  return out;
}

nlohmann::json data_json(const name::identifier& owner, record::rtype type, std::string data) {
  return record::to_json(
             record::rr{.owner = owner, .type = type, .ttl = 0, .data = std::move(data)})
      .at("data");
}

nlohmann::json validation_json(const stub::validation_state& v) {
  return {{"state", stub::validation_name(v.state)}, {"reason", v.reason}};
}

nlohmann::json resource_json(const stub::discovered& r, bool with_records) {
  nlohmann::json j;
  j["name"] = r.name.text();
  j["desc"] = r.descriptor ? data_json(r.name, record::rtype::desc, r.descriptor->encode())
                           : nlohmann::json(nullptr);
  j["state"] = r.availability ? data_json(r.name, record::rtype::state, r.availability->encode())
                              : nlohmann::json(nullptr);
  auto eps = nlohmann::json::array();
  for (const auto& e : r.endpoints) eps.push_back(data_json(r.name, record::rtype::ep, e.encode()));
  j["endpoints"] = std::move(eps);
  j["validation"] = validation_json(r.validation);
  if (with_records) {
    auto records = nlohmann::json::array();
    for (const auto& rr : r.records) records.push_back(record::to_json(rr));
    j["records"] = std::move(records);
  }
  return j;
}

}  // namespace

discover_row make_row(const stub::discovered& r) {
  discover_row row;
  row.name = r.name.text();
  const std::string none(absent);
  row.kind = row.accel = row.memory = row.region = row.price = row.free = row.endpoint = none;
  if (const auto& d = r.descriptor) {
    if (d->kind) row.kind = desc_value("kind", [&](record::desc& o) { o.kind = d->kind; });
    row.accel = accel_cell(*d);
    if (d->accel_mem)
      row.memory = desc_value("accel.mem", [&](record::desc& o) { o.accel_mem = d->accel_mem; });
    if (d->region) row.region = *d->region;
    row.price = price_cell(*d);
  }
  if (r.availability && r.availability->free) row.free = fmt::format("{}", *r.availability->free);
  if (!r.endpoints.empty()) row.endpoint = endpoint_cell(r.endpoints.front());
  row.validation = std::string(stub::validation_name(r.validation.state));
  return row;
}

std::string format_discovery(const stub::discovery& d, const discover_request& asked) {
  std::string out;
  if (!d.resources.empty()) {
    std::vector<cells> rows{{"IDENTIFIER", "KIND", "ACCEL", "MEM/ACCEL", "REGION", "PRICE", "FREE",
                             "ENDPOINT", "VALIDATION"}};
    for (const auto& r : d.resources) rows.push_back(cells_of(make_row(r)));
    out += format_table(rows);
  }
  if (asked.dnssec && !d.resources.empty()) {
    out += "\n;; RECORDS:\n";
    for (const auto& r : d.resources)
      for (const auto& rr : r.records) out += record::format_rr(rr) + "\n";
    out += "\n";
  }
  out += status_lines(d, asked);
  const auto& got = d.lookup;
  out += fmt::format(";; SERVER: {} ({}), {:.1f} ms, {} bytes\n", got.server.to_string(),
                     got.tcp ? "tcp" : "udp", static_cast<double>(got.elapsed.count()) / 1000.0,
                     got.size);
  return out;
}

nlohmann::json discovery_to_json(const stub::discovery& d, const discover_request& asked) {
  const wire::message& reply = d.lookup.reply;
  nlohmann::json j;
  j["scope"] = asked.scope.text();
  j["selector"] = asked.selector;
  j["outcome"] = stub::outcome_name(d.kind);
  j["rcode"] = wire::rcode_name(reply.rcode);
  auto resources = nlohmann::json::array();
  for (const auto& r : d.resources) resources.push_back(resource_json(r, asked.dnssec));
  j["resources"] = std::move(resources);
  j["partial"] = d.partial;
  j["partial_reason"] = d.partial_reason;
  auto delegations = nlohmann::json::array();
  for (const auto& n : d.delegations) delegations.push_back(n.text());
  j["delegations"] = std::move(delegations);
  j["validation"] = validation_json(d.validation);
  if (reply.error)
    j["error"] = {{"code", reply.error->code},
                  {"name", wire::error_code_name(reply.error->code)},
                  {"text", reply.error->text}};
  j["server"] = d.lookup.server.to_string();
  j["transport"] = d.lookup.tcp ? "tcp" : "udp";
  j["size"] = d.lookup.size;
  j["time_ms"] = static_cast<double>(d.lookup.elapsed.count()) / 1000.0;
  return j;
}

}  // namespace cidns::lookup
