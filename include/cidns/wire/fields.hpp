// Field numbers of the transport messages in cidns.proto (Message, Question,
// Record, Auth, ExtendedError, SignedData, Prerequisite, Change), one enum per message as in
// vtzero. The record data messages (Soa, Desc, ...) are lib/record's business.
#pragma once

#include <protozero/types.hpp>

namespace cidns::wire {

enum class message_field : protozero::pbf_tag_type {
  id = 1,              // fixed32
  opcode = 2,          // Opcode (varint)
  flags = 3,           // uint32, flag:: bits
  rcode = 4,           // Rcode (varint)
  question = 5,        // Question
  answer = 6,          // repeated Record
  authority = 7,       // repeated Record
  additional = 8,      // repeated Record
  max_size = 9,        // uint32
  cookie = 10,         // bytes
  selector = 11,       // string
  auth = 12,           // Auth
  error = 13,          // ExtendedError
  deadline = 14,       // uint32, milliseconds
  prerequisites = 15,  // repeated Prerequisite (UPDATE)
  changes = 16,        // repeated Change (UPDATE); a two-byte key
};

enum class question_field : protozero::pbf_tag_type {
  name = 1,  // string
  type = 2,  // RecordType (varint)
};

enum class record_field : protozero::pbf_tag_type {
  name = 1,  // string
  type = 2,  // RecordType (varint)
  ttl = 3,   // uint32
  data = 4,  // bytes: the encoding of the type's data message, opaque here
};

enum class auth_field : protozero::pbf_tag_type {
  key = 1,    // string
  time = 2,   // uint64
  fudge = 3,  // uint32
  mac = 4,    // bytes
};

enum class extended_error_field : protozero::pbf_tag_type {
  code = 1,  // uint32 (ErrorCode)
  text = 2,  // string
};

enum class prerequisite_field : protozero::pbf_tag_type {
  kind = 1,    // PrerequisiteKind (varint)
  record = 2,  // Record
};

enum class change_field : protozero::pbf_tag_type {
  kind = 1,    // ChangeKind (varint)
  record = 2,  // Record
};

enum class signed_data_field : protozero::pbf_tag_type {
  sig = 1,      // bytes
  records = 2,  // repeated Record
};

}  // namespace cidns::wire
