// Numbers with units: parsing is exact (no floating point) and printing is
// the inverse, so text -> wire -> text -> wire is stable.
#include "units.hpp"

#include <fmt/format.h>
#include <charconv>

namespace cidns::record::detail {
namespace {

constexpr std::uint64_t pow10(unsigned n) noexcept {
  std::uint64_t v = 1;
  while (n-- > 0) v *= 10;
  return v;
}

bool all_digits(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

error too_large(std::string_view text, std::uint64_t max) {
  return make_error(fmt::format("\"{}\" is too large (at most {})", text, max), 0, 1);
}

// Mantissa and number of fraction digits of "123.450" -> (12345, 2); trailing
// fraction zeros are dropped. Fails on anything but digits[.digits].
struct decimal {
  std::uint64_t mantissa = 0;
  unsigned decimals = 0;
};

result<decimal> parse_decimal(std::string_view text) {
  auto dot = text.find('.');
  std::string_view ip = text.substr(0, dot);
  std::string_view fp = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (!all_digits(ip) || (dot != std::string_view::npos && !all_digits(fp))) {
    for (std::size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      if ((c < '0' || c > '9') && !(c == '.' && i == dot && i > 0 && i + 1 < text.size())) {
        return make_error(fmt::format("\"{}\" is not a number", text), 0,
                          static_cast<std::uint32_t>(i + 1));
      }
    }
    return make_error(fmt::format("\"{}\" is not a number", text), 0, 1);
  }
  while (!fp.empty() && fp.back() == '0') fp.remove_suffix(1);
  decimal d;
  for (std::string_view part : {ip, fp}) {
    for (char c : part) {
      if (d.mantissa > (~std::uint64_t{0} - 9) / 10) return make_error("overflow", 0, 1);
      d.mantissa = d.mantissa * 10 + static_cast<std::uint64_t>(c - '0');
    }
  }
  d.decimals = static_cast<unsigned>(fp.size());
  return d;
}

}  // namespace

void format_uint(std::uint64_t v, std::string& out) {
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, p);
}

result<std::uint64_t> parse_uint(std::string_view text, std::uint64_t max) {
  if (!all_digits(text)) {
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] < '0' || text[i] > '9') {
        return make_error(fmt::format("\"{}\" is not a decimal number", text), 0,
                          static_cast<std::uint32_t>(i + 1));
      }
    }
    return make_error("empty value, expected a decimal number", 0, 1);
  }
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || v > max) return too_large(text, max);
  return v;
}

result<std::uint64_t> parse_fixed(std::string_view text, unsigned scale, std::uint64_t max) {
  auto d = parse_decimal(text);
  if (!d) {
    if (d.err().message == "overflow") return too_large(text, max);
    return std::move(d).err();
  }
  if (d->decimals > scale) {
    return make_error(fmt::format("\"{}\" has more than {} decimals", text, scale), 0, 1);
  }
  std::uint64_t mul = pow10(scale - d->decimals);
  if (d->mantissa > max / mul) return too_large(text, max);
  return d->mantissa * mul;
}

void format_fixed(std::uint64_t v, unsigned scale, std::string& out) {
  std::uint64_t p = pow10(scale);
  format_uint(v / p, out);
  std::uint64_t frac = v % p;
  if (frac == 0) return;
  char digits[20];
  for (unsigned i = scale; i-- > 0;) {
    digits[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  unsigned n = scale;
  while (n > 0 && digits[n - 1] == '0') --n;
  out.push_back('.');
  out.append(digits, n);
}

namespace {

struct size_unit {
  std::string_view name;
  unsigned shift;
};
constexpr size_unit size_units[] = {{"EiB", 60}, {"PiB", 50}, {"TiB", 40},
                                    {"GiB", 30}, {"MiB", 20}, {"KiB", 10}};

}  // namespace

std::string_view unit_name(unsigned shift) noexcept {
  for (const auto& u : size_units) {
    if (u.shift == shift) return u.name;
  }
  return "?";
}

result<std::uint64_t> parse_size(std::string_view text, unsigned shift, std::uint64_t max) {
  std::size_t end = text.size();
  while (end > 0 && ((text[end - 1] >= 'a' && text[end - 1] <= 'z') ||
                     (text[end - 1] >= 'A' && text[end - 1] <= 'Z'))) {
    --end;
  }
  std::string_view suffix = text.substr(end);
  unsigned from = shift;
  if (!suffix.empty()) {
    bool found = false;
    for (const auto& u : size_units) {
      if (u.name == suffix) {
        from = u.shift;
        found = true;
      }
    }
    if (!found) {
      return make_error(
          fmt::format("\"{}\": unknown unit \"{}\" (use KiB MiB GiB TiB PiB EiB)", text, suffix), 0,
          static_cast<std::uint32_t>(end + 1));
    }
  }
  auto d = parse_decimal(text.substr(0, end));
  if (!d) {
    if (d.err().message == "overflow") return too_large(text, max);
    return make_error(fmt::format("\"{}\" is not a size", text), 0, d.err().col);
  }
  // value = mantissa * 2^(from - shift) / 10^decimals = (mantissa / 5^d) * 2^(from - shift - d)
  std::uint64_t q = d->mantissa;
  std::uint64_t five = 1;
  for (unsigned i = 0; i < d->decimals; ++i) five *= 5;
  int s = static_cast<int>(from) - static_cast<int>(shift) - static_cast<int>(d->decimals);
  bool exact = q % five == 0;
  if (exact) {
    q /= five;
    if (s < 0) {
      exact = s > -64 && (q & ((std::uint64_t{1} << -s) - 1)) == 0;
      q = s > -64 ? q >> -s : 0;
    }
  }
  if (!exact) {
    return make_error(fmt::format("\"{}\" is not a whole number of {}", text, unit_name(shift)), 0,
                      1);
  }
  if (s > 0) {
    if (s >= 64 || q > (max >> s)) return too_large(text, max);
    q <<= s;
  }
  if (q > max) return too_large(text, max);
  return q;
}

void format_size(std::uint64_t v, unsigned shift, std::string& out) {
  if (v == 0) {
    out.append("0").append(unit_name(shift));
    return;
  }
  for (const auto& u : size_units) {
    if (u.shift < shift) break;
    unsigned s = u.shift - shift;
    if (s < 64 && (v & ((std::uint64_t{1} << s) - 1)) == 0) {
      format_uint(v >> s, out);
      out.append(u.name);
      return;
    }
  }
}

result<std::uint64_t> parse_duration(std::string_view text, std::uint64_t max) {
  if (text.empty()) return make_error("empty duration", 0, 1);
  if (all_digits(text)) return parse_uint(text, max);
  std::uint64_t total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    std::uint64_t n = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (n > max) return too_large(text, max);
      n = n * 10 + static_cast<std::uint64_t>(text[i] - '0');
      ++i;
    }
    if (i == start || i == text.size()) {
      return make_error(
          fmt::format("\"{}\" is not a duration (use seconds or 30s 5m 1h 1d 1w)", text), 0,
          static_cast<std::uint32_t>(i + 1));
    }
    std::uint64_t mul = 0;
    switch (text[i]) {
      case 's':
      case 'S':
        mul = 1;
        break;
      case 'm':
      case 'M':
        mul = 60;
        break;
      case 'h':
      case 'H':
        mul = 3600;
        break;
      case 'd':
      case 'D':
        mul = 86400;
        break;
      case 'w':
      case 'W':
        mul = 604800;
        break;
      default:
        return make_error(
            fmt::format("\"{}\": unknown duration unit '{}' (use s m h d w)", text, text[i]), 0,
            static_cast<std::uint32_t>(i + 1));
    }
    ++i;
    if (n > max / mul || total + n * mul > max) return too_large(text, max);
    total += n * mul;
  }
  return total;
}

namespace {

// Days since 1970-01-01 of a civil date (proleptic Gregorian), and back.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  auto yoe = static_cast<unsigned>(y - era * 400);
  unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct civil {
  std::int64_t y;
  unsigned m, d, hh, mm, ss;
};

civil civil_from_time(std::uint64_t t) noexcept {
  auto days = static_cast<std::int64_t>(t / 86400);
  auto sec = static_cast<unsigned>(t % 86400);
  days += 719468;
  std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  auto doe = static_cast<unsigned>(days - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d, sec / 3600, sec / 60 % 60, sec % 60};
}

unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
  static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

unsigned digits_at(std::string_view s, std::size_t pos, std::size_t n) noexcept {
  unsigned v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) v = v * 10 + static_cast<unsigned>(s[i] - '0');
  return v;
}

}  // namespace

result<std::uint64_t> parse_time(std::string_view text, std::uint64_t max) {
  civil c{};
  auto bad = [&] {
    return make_error(fmt::format("\"{}\" is not a time (use RFC 3339 \"2026-11-25T10:00:00Z\", "
                                  "YYYYMMDDHHMMSS or unix seconds)",
                                  text),
                      0, 1);
  };
  if (text.size() == 14 && all_digits(text)) {
    c = {digits_at(text, 0, 4), digits_at(text, 4, 2),  digits_at(text, 6, 2),
         digits_at(text, 8, 2), digits_at(text, 10, 2), digits_at(text, 12, 2)};
  } else if (all_digits(text)) {
    return parse_uint(text, max);
  } else if (text.size() == 20 && (text[19] == 'Z' || text[19] == 'z') && text[4] == '-' &&
             text[7] == '-' && (text[10] == 'T' || text[10] == 't') && text[13] == ':' &&
             text[16] == ':') {
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
      if (text[i] < '0' || text[i] > '9') return bad();
    }
    c = {digits_at(text, 0, 4),  digits_at(text, 5, 2),  digits_at(text, 8, 2),
         digits_at(text, 11, 2), digits_at(text, 14, 2), digits_at(text, 17, 2)};
  } else {
    return bad();
  }
  if (c.y < 1970 || c.m < 1 || c.m > 12 || c.d < 1 || c.d > days_in_month(c.y, c.m) || c.hh > 23 ||
      c.mm > 59 || c.ss > 59) {
    return make_error(fmt::format("\"{}\" is not a valid time (1970 or later)", text), 0, 1);
  }
  auto t = static_cast<std::uint64_t>(days_from_civil(c.y, c.m, c.d)) * 86400 + c.hh * 3600u +
           c.mm * 60u + c.ss;
  if (t > max) return too_large(text, max);
  return t;
}

void format_rfc3339(std::uint64_t t, std::string& out) {
  civil c = civil_from_time(t);
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", c.y, c.m, c.d,
                 c.hh, c.mm, c.ss);
}

void format_dnssec_time(std::uint64_t t, std::string& out) {
  civil c = civil_from_time(t);
  fmt::format_to(std::back_inserter(out), "{:04}{:02}{:02}{:02}{:02}{:02}", c.y, c.m, c.d, c.hh,
                 c.mm, c.ss);
}

}  // namespace cidns::record::detail
