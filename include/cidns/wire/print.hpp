// Human and machine output of a message: the dig-like text cidns-lookup prints
// and the one JSON shape of a message shared by every --json output.
// (Target cidns_wire_text: it needs cidns_record's presentation of records.)
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "cidns/wire/message.hpp"

namespace cidns::wire {

// {"id", "opcode", "rcode", "flags": ["qr", ...], "question": {"name", "type"},
//  "answer"/"authority"/"additional": [record::to_json(rr), ...],
//  and when present: "max_size", "cookie" (hex), "selector", "deadline",
//  "auth": {"key", "time", "fudge", "mac" (hex)}, "error": {"code", "name", "text"}}.
// The three sections are always present (possibly empty).
nlohmann::json to_json(const message& m);

// Dig-like text:
//   ;; opcode: QUERY, status: NOERROR, id: 4660
//   ;; flags: qr aa rd; QUESTION: 1, ANSWER: 3, AUTHORITY: 0, ADDITIONAL: 1
//   ;; max_size: 1232          (lines for cookie, selector, auth, error when present)
//
//   ;; QUESTION SECTION:
//   ;h100-8x.pool1.provx.cn-north. RESOURCE
//
//   ;; ANSWER SECTION:
//   <record::format_rr lines>
// Empty answer/authority/additional sections are left out. Ends with a newline.
std::string format_message(const message& m);

}  // namespace cidns::wire
