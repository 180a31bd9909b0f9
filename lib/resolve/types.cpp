#include "cidns/resolve/types.hpp"

namespace cidns::resolve {

std::string_view security_name(security s) {
  switch (s) {
    case security::secure:
      return "secure";
    case security::insecure:
      return "insecure";
    case security::bogus:
      return "bogus";
    case security::indeterminate:
      break;
  }
  return "indeterminate";
}

}  // namespace cidns::resolve
