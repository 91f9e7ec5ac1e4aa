# Helpers shared by every itc target: one function per kind of target.

# itc_warnings(<target>): the project's warning set (-Werror unless ITC_WARNINGS_AS_ERRORS=OFF);
# clang adds -Wthread-safety, which checks every ITC_GUARDED_BY member.
function(itc_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(ITC_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    target_compile_options(${target} PRIVATE -Wthread-safety -Wthread-safety-beta)
  endif()
endfunction()

# itc_example(<name> <source>): a tutorial program, also run as a CTest test (label: examples).
function(itc_example name source)
  add_executable(${name} ${source})
  target_link_libraries(${name} PRIVATE itc::itc)
  itc_warnings(${name})
  add_test(NAME example.${name} COMMAND ${name})
  set_tests_properties(example.${name} PROPERTIES LABELS "examples" TIMEOUT 60)
endfunction()
