# Building checkers from a scenario catalog — itc's own, or yours.
#
#   itc_add_checkers(<name> CATALOG <header> [INCLUDE_DIRS <dir>...] [TESTS [TEST_PREFIX <p>]])
#
# builds, from the catalog header (which defines ITC_SCENARIOS(X) and ITC_SCENARIO_NAMESPACE,
# like models/scenarios/catalog.hpp):
#   <name>-model    the Relacy model checker front end (skipped without relacy-dev, or in a
#                   ThreadSanitizer build: Relacy builds must not use sanitizers)
#   <name>-stress   the real-thread stress runner; in a -fsanitize=thread build (the tsan
#                   preset), the tsan checker
# Both take the same command line as itc-model / itc-stress, and itc-verify drives them with
# --model-bin / --stress-bin / --tsan-bin. INCLUDE_DIRS must contain the catalog header's folder.
# TESTS adds one CTest test per scenario and checker, generated from the binaries' `list` after
# each build (so they cannot drift from the catalog): <p>model.<id>.bound and .random (label
# model), <p>stress.<id> (label stress) or, in a TSan build, <p>tsan.<id> (label tsan).
set(ITC_ROOT_DIR ${CMAKE_CURRENT_LIST_DIR}/.. CACHE INTERNAL "itc source tree")
find_path(RELACY_INCLUDE_DIR relacy/relacy.hpp)

function(itc_add_checkers name)
  cmake_parse_arguments(ARG "TESTS" "CATALOG;TEST_PREFIX" "INCLUDE_DIRS" ${ARGN})
  if(NOT ARG_CATALOG)
    message(FATAL_ERROR "itc_add_checkers(${name}): CATALOG <header> is required")
  endif()

  add_executable(${name}-stress ${ITC_ROOT_DIR}/stress/src/stress_runner.cpp ${ITC_ROOT_DIR}/stress/src/chaos.cpp
                              ${ITC_ROOT_DIR}/stress/src/process.cpp)
  target_include_directories(${name}-stress PRIVATE ${ITC_ROOT_DIR}/stress/include ${ITC_ROOT_DIR}/models/include
                                                    ${ARG_INCLUDE_DIRS})
  target_compile_definitions(${name}-stress PRIVATE ITC_CATALOG_HEADER="${ARG_CATALOG}")
  target_link_libraries(${name}-stress PRIVATE itc::itc)
  itc_warnings(${name}-stress)
  if(ARG_TESTS)
    if(ITC_TSAN)
      set(label tsan)
    else()
      set(label stress)
    endif()
    set(tests_file ${CMAKE_CURRENT_BINARY_DIR}/${name}_stress_tests.cmake)
    add_custom_command(TARGET ${name}-stress POST_BUILD
      COMMAND ${CMAKE_COMMAND} -D RUNNER=$<TARGET_FILE:${name}-stress> -D LABEL=${label}
              -D PREFIX=${ARG_TEST_PREFIX} -D OUTPUT=${tests_file}
              -P ${ITC_ROOT_DIR}/stress/tests/GenerateStressTests.cmake
      BYPRODUCTS ${tests_file} VERBATIM)
    set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${tests_file})
  endif()

  if(RELACY_INCLUDE_DIR AND NOT ITC_TSAN)
    add_executable(${name}-model ${ITC_ROOT_DIR}/models/src/model_runner.cpp)
    target_include_directories(${name}-model PRIVATE ${ITC_ROOT_DIR}/models/include ${ARG_INCLUDE_DIRS}
                                                     ${RELACY_INCLUDE_DIR})
    target_compile_definitions(${name}-model PRIVATE ITC_CATALOG_HEADER="${ARG_CATALOG}")
    target_link_libraries(${name}-model PRIVATE itc::itc)
    # Relacy replaces only the unsized operator delete (DESIGN.md); its headers also trip -Wextra.
    target_compile_options(${name}-model PRIVATE -fno-sized-deallocation -Wall -Werror -Wno-unused-parameter
      -Wno-deprecated-declarations -Wno-class-memaccess -Wno-free-nonheap-object)
    if(ARG_TESTS)
      set(tests_file ${CMAKE_CURRENT_BINARY_DIR}/${name}_model_tests.cmake)
      add_custom_command(TARGET ${name}-model POST_BUILD
        COMMAND ${CMAKE_COMMAND} -D RUNNER=$<TARGET_FILE:${name}-model> -D PREFIX=${ARG_TEST_PREFIX}
                -D OUTPUT=${tests_file} -P ${ITC_ROOT_DIR}/models/tests/GenerateModelTests.cmake
        BYPRODUCTS ${tests_file} VERBATIM)
      set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${tests_file})
    endif()
  endif()
endfunction()
