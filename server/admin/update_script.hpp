// cidns-admin update's command language (nsupdate style, docs/cidns-admin.md) turned into
// UPDATE messages. No I/O and no keys: cidns-admin update (update_command.cpp) sets the id,
// signs and sends what this returns, and tests/unit/wire/update_script_test.cpp checks it.
#pragma once

#include <string_view>
#include <vector>

#include "cidns/name/identifier.hpp"
#include "cidns/util/result.hpp"
#include "cidns/wire/message.hpp"

namespace cidns::admin {

// One command a line; blank lines and lines starting with '#' are skipped:
//   add NAME TTL TYPE DATA...          change add
//   del NAME [TYPE [DATA...]]          delete_name / delete_rrset / delete_record
//   require exists NAME [TYPE [DATA]]  name_in_use / rrset_exists / rrset_equals
//   require absent NAME [TYPE]         name_absent / rrset_absent
//   send                               ends a message (implicit at the end)
// ("delete" is a synonym of "del".) NAME without a trailing dot is relative to `zone` ("@"
// is the zone); TTL as in zonefiles (3600, 1h); TYPE and DATA in presentation form, parsed
// by record::parse_data with `zone` as the origin. Each message has opcode UPDATE,
// question {zone, SOA}, id 0 and no auth; a send with nothing gathered makes none.
// Errors read "line N: ..." (err().line = N): a bad command, name, TTL, type or data, more
// than wire::max_records_per_section prerequisites or changes in one message, or a message
// over wire::max_message_size bytes.
result<std::vector<wire::message>> parse_update_script(std::string_view text,
                                                       const name::identifier& zone);

}  // namespace cidns::admin
