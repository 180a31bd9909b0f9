# Per-module include roots, so that the build enforces STYLE.md's dependency rule.
#
# The public headers stay where users look for them, include/cidns/<module>/, but no target
# sees include/ as a whole. Each module gets its own root in the build tree,
#   <build>/module_include/<module>/cidns/<module>  ->  include/cidns/<module>
# and publishes only that root. A target therefore sees the headers of the modules it links
# (PUBLIC links pass them on, PRIVATE links do not) and nothing else: an include across the
# rule is a compile error ("No such file or directory"), not a silent dependency.

# cidns_module_root(MODULE OUT): sets OUT to MODULE's include root (made on first use).
function(cidns_module_root module out)
  set(root ${PROJECT_BINARY_DIR}/module_include/${module})
  set(link ${root}/cidns/${module})
  set(dir ${PROJECT_SOURCE_DIR}/include/cidns/${module})
  if(NOT IS_DIRECTORY ${dir})
    message(FATAL_ERROR "cidns_module_root: no such header folder: ${dir}")
  endif()
  file(MAKE_DIRECTORY ${root}/cidns)
  file(REMOVE ${link})
  file(CREATE_LINK ${dir} ${link} SYMBOLIC)
  set(${out} ${root} PARENT_SCOPE)
endfunction()

# cidns_module_headers(TARGET MODULE): TARGET publishes include/cidns/MODULE.
function(cidns_module_headers target module)
  cidns_module_root(${module} root)
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(${target} INTERFACE ${root})
  else()
    target_include_directories(${target} PUBLIC ${root})
  endif()
endfunction()
