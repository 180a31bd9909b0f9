# Project-wide warning flags; CIDNS_WERROR turns them into errors.
add_compile_options(-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
                    -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough)
if(CIDNS_WERROR)
  add_compile_options(-Werror)
endif()
