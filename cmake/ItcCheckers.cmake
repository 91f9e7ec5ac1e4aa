# Building checkers from a scenario catalog — itc's own, or yours.
#
#   itc_add_checkers(<name> CATALOG <header> [INCLUDE_DIRS <dir>...] [SOURCE_ROOT <dir>]
#                    [TESTS [TEST_PREFIX <p>]] [WITHOUT_TSAN])
#
# builds, from the catalog header (which defines ITC_SCENARIOS(X) and ITC_SCENARIO_NAMESPACE,
# like models/scenarios/catalog.hpp), three programs in the calling directory's build folder:
#   <name>-model    the Relacy model checker front end (skipped without relacy-dev, or in a
#                   ThreadSanitizer tree: Relacy builds must not use sanitizers)
#   <name>-stress   the real-thread stress runner (in a tree built with ITC_TSAN, the tsan checker)
#   <name>-tsan     the same runner built with -fsanitize=thread, the flags on this target only;
#                   made when the compiler can build and link a -fsanitize=thread program, and
#                   not in an ITC_TSAN tree (there <name>-stress already is it) nor with WITHOUT_TSAN
# They take the same command line as itc-model / itc-stress. itc-verify drives them:
#   itc-verify --checkers <build dir>/<name> matrix
# INCLUDE_DIRS must contain the catalog header's folder. SOURCE_ROOT (default: the calling
# project's source folder) is the root traces and reports show paths relative to: a step or a
# SARIF location in one of your files reads "src/latch.hpp:39", itc's own files read
# "itc/lock.hpp" (installed package) or "primitives/include/itc/lock.hpp" (itc's tree), and
# Relacy's own headers — recognised by their include folder — are left out of traces.
# TESTS adds one CTest test per scenario and checker, generated from the binaries' `list` after
# each build (so they cannot drift from the catalog): <p>model.<id>.bound and .random (label
# model), <p>stress.<id> (label stress), <p>tsan.<id> (label tsan). A test list that is not
# generated yet (the binary is not built) is skipped by ctest, not an error.
#
# Works from itc's source tree (add_subdirectory, or include() of this file alone, which then
# also defines itc::itc) and from the installed package (find_package(itc CONFIG), whose
# itcConfig.cmake sets ITC_CHECKERS_ROOT first).
include_guard(GLOBAL)

if(NOT DEFINED ITC_CHECKERS_ROOT)
  # itc's source tree: the runners' sources and headers where they live in the repository.
  get_filename_component(ITC_CHECKERS_ROOT ${CMAKE_CURRENT_LIST_DIR}/.. ABSOLUTE)
  set(ITC_CHECKERS_INCLUDE_DIRS ${ITC_CHECKERS_ROOT}/models/include ${ITC_CHECKERS_ROOT}/stress/include)
  # How itc's own files are shown: relative to the repository root.
  set(ITC_LIBRARY_ROOTS ${ITC_CHECKERS_ROOT})
  # include(<itc>/cmake/ItcCheckers.cmake) without add_subdirectory: the library target too.
  if(NOT TARGET itc::itc)
    find_package(Threads REQUIRED)
    add_library(_itc_library INTERFACE)
    target_include_directories(_itc_library INTERFACE ${ITC_CHECKERS_ROOT}/primitives/include)
    target_compile_features(_itc_library INTERFACE cxx_std_20)
    target_link_libraries(_itc_library INTERFACE Threads::Threads)
    add_library(itc::itc ALIAS _itc_library)
  endif()
endif()
# The version of itc the checkers are built from (`<checker> --version`): itc's project version
# (its own tree, add_subdirectory), the installed package's (itcConfig.cmake sets ITC_VERSION), or
# read from itc's CMakeLists.txt when this file is include()d alone.
if(NOT DEFINED ITC_VERSION)
  if(DEFINED itc_VERSION AND NOT itc_VERSION STREQUAL "")
    set(ITC_VERSION ${itc_VERSION})
  elseif(EXISTS ${ITC_CHECKERS_ROOT}/CMakeLists.txt)
    file(STRINGS ${ITC_CHECKERS_ROOT}/CMakeLists.txt _itc_project REGEX "^project\\(itc VERSION [0-9.]+")
    string(REGEX REPLACE "^project\\(itc VERSION ([0-9.]+).*" "\\1" ITC_VERSION "${_itc_project}")
  endif()
  if(NOT ITC_VERSION)
    set(ITC_VERSION unknown)
  endif()
endif()
set_property(GLOBAL PROPERTY ITC_VERSION ${ITC_VERSION})
# Kept as global properties: itc_add_checkers() is called from the consumer's directories, which
# do not see variables set in itc's own (add_subdirectory) scope.
set_property(GLOBAL PROPERTY ITC_CHECKERS_ROOT ${ITC_CHECKERS_ROOT})
set_property(GLOBAL PROPERTY ITC_CHECKERS_INCLUDE_DIRS ${ITC_CHECKERS_INCLUDE_DIRS})
set_property(GLOBAL PROPERTY ITC_LIBRARY_ROOTS ${ITC_LIBRARY_ROOTS})
find_path(RELACY_INCLUDE_DIR relacy/relacy.hpp)

# Can this compiler build and link a ThreadSanitizer program? Asked once per build tree.
if(NOT DEFINED ITC_HAVE_TSAN)
  include(CheckCXXSourceCompiles)
  set(CMAKE_REQUIRED_FLAGS -fsanitize=thread)
  set(CMAKE_REQUIRED_LINK_OPTIONS -fsanitize=thread)
  check_cxx_source_compiles("int main() { return 0; }" ITC_HAVE_TSAN)
  unset(CMAKE_REQUIRED_FLAGS)
  unset(CMAKE_REQUIRED_LINK_OPTIONS)
endif()

# TSan reports need a symbolizer for file:line frames; Debian ships llvm-symbolizer outside
# clang's package (ci/install-deps.sh installs llvm-14). Compiled into <name>-tsan.
find_program(ITC_LLVM_SYMBOLIZER NAMES llvm-symbolizer llvm-symbolizer-14 HINTS /usr/lib/llvm-14/bin)

# The warning set of itc's targets (ItcHelpers.cmake's itc_warnings, which an installed package
# does not carry); -Werror only with ITC_WARNINGS_AS_ERRORS.
function(_itc_checker_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(ITC_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    target_compile_options(${target} PRIVATE -Wthread-safety -Wthread-safety-beta)
  endif()
endfunction()

# _itc_checker_tests(<target> <generator script> <label> <prefix>): the CTest tests generated
# from `<target> list --ids` after each build. ctest reads the list through a guard written at
# configure time, so a tree in which <target> is not built yet still runs its other tests.
function(_itc_checker_tests target script label prefix)
  set(tests_file ${CMAKE_CURRENT_BINARY_DIR}/${target}_tests.cmake)
  set(guard_file ${CMAKE_CURRENT_BINARY_DIR}/${target}_tests_guard.cmake)
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -D RUNNER=$<TARGET_FILE:${target}> -D LABEL=${label} -D PREFIX=${prefix}
            -D OUTPUT=${tests_file} -P ${script}
    BYPRODUCTS ${tests_file} VERBATIM)
  file(WRITE ${guard_file} "# Generated by itc_add_checkers(); do not edit.\n"
                           "if(EXISTS \"${tests_file}\")\n  include(\"${tests_file}\")\nendif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${guard_file})
endfunction()

function(itc_add_checkers name)
  cmake_parse_arguments(ARG "TESTS;WITHOUT_TSAN" "CATALOG;TEST_PREFIX;SOURCE_ROOT" "INCLUDE_DIRS" ${ARGN})
  get_property(ITC_CHECKERS_ROOT GLOBAL PROPERTY ITC_CHECKERS_ROOT)
  get_property(ITC_CHECKERS_INCLUDE_DIRS GLOBAL PROPERTY ITC_CHECKERS_INCLUDE_DIRS)
  get_property(ITC_LIBRARY_ROOTS GLOBAL PROPERTY ITC_LIBRARY_ROOTS)
  get_property(itc_version GLOBAL PROPERTY ITC_VERSION)
  if(NOT ARG_CATALOG)
    message(FATAL_ERROR "itc_add_checkers(${name}): CATALOG <header> is required")
  endif()
  if(NOT ARG_SOURCE_ROOT)
    set(ARG_SOURCE_ROOT ${PROJECT_SOURCE_DIR})
  endif()
  get_filename_component(source_root ${ARG_SOURCE_ROOT} ABSOLUTE)
  # The catalog's own path, for `<checker> info` and for itc-verify (compare, explain).
  set(catalog_path "")
  if(IS_ABSOLUTE ${ARG_CATALOG})
    set(catalog_path ${ARG_CATALOG})
  else()
    foreach(dir ${ARG_INCLUDE_DIRS} ${CMAKE_CURRENT_SOURCE_DIR})
      if(NOT catalog_path AND EXISTS ${dir}/${ARG_CATALOG})
        get_filename_component(catalog_path ${dir}/${ARG_CATALOG} ABSOLUTE)
      endif()
    endforeach()
  endif()
  if(NOT catalog_path)
    message(FATAL_ERROR "itc_add_checkers(${name}): CATALOG ${ARG_CATALOG} is in none of INCLUDE_DIRS (${ARG_INCLUDE_DIRS})")
  endif()
  string(REPLACE ";" ":" library_roots "${ITC_LIBRARY_ROOTS}")
  set(definitions ITC_CATALOG_HEADER="${ARG_CATALOG}" ITC_CATALOG_PATH="${catalog_path}"
                  ITC_SOURCE_ROOT="${source_root}" ITC_LIBRARY_ROOTS="${library_roots}"
                  ITC_VERSION="${itc_version}")
  set(stress_sources ${ITC_CHECKERS_ROOT}/stress/src/stress_runner.cpp ${ITC_CHECKERS_ROOT}/stress/src/chaos.cpp
                     ${ITC_CHECKERS_ROOT}/stress/src/process.cpp)
  set(stress_script ${ITC_CHECKERS_ROOT}/stress/tests/GenerateStressTests.cmake)

  # The stress runner, and its TSan build. ITC_TSAN: the whole tree is a TSan tree.
  set(stress_targets ${name}-stress)
  if(NOT ARG_WITHOUT_TSAN AND NOT ITC_TSAN AND ITC_HAVE_TSAN)
    list(APPEND stress_targets ${name}-tsan)
  endif()
  foreach(target ${stress_targets})
    add_executable(${target} ${stress_sources})
    target_include_directories(${target} PRIVATE ${ITC_CHECKERS_ROOT}/stress/src ${ITC_CHECKERS_INCLUDE_DIRS}
                                                 ${ARG_INCLUDE_DIRS})
    target_compile_definitions(${target} PRIVATE ${definitions})
    target_link_libraries(${target} PRIVATE itc::itc)
    target_compile_features(${target} PRIVATE cxx_std_20)
    _itc_checker_warnings(${target})
    set(label stress)
    if(target STREQUAL "${name}-tsan" OR ITC_TSAN)
      set(label tsan)
    endif()
    if(target STREQUAL "${name}-tsan")
      target_compile_options(${target} PRIVATE -fsanitize=thread -g -O1)
      target_link_options(${target} PRIVATE -fsanitize=thread)
    endif()
    if(label STREQUAL "tsan" AND ITC_LLVM_SYMBOLIZER)
      target_compile_definitions(${target} PRIVATE ITC_TSAN_SYMBOLIZER="${ITC_LLVM_SYMBOLIZER}")
    endif()
    if(ARG_TESTS)
      _itc_checker_tests(${target} ${stress_script} ${label} "${ARG_TEST_PREFIX}")
    endif()
  endforeach()

  if(RELACY_INCLUDE_DIR AND NOT ITC_TSAN AND NOT ITC_ASAN)
    add_executable(${name}-model ${ITC_CHECKERS_ROOT}/models/src/model_runner.cpp)
    target_include_directories(${name}-model PRIVATE ${ITC_CHECKERS_ROOT}/models/src ${ITC_CHECKERS_INCLUDE_DIRS}
                                                     ${ARG_INCLUDE_DIRS} ${RELACY_INCLUDE_DIR})
    # Relacy's frames are recognised by this folder (and left out of traces).
    target_compile_definitions(${name}-model PRIVATE ${definitions} ITC_RELACY_INCLUDE_DIR="${RELACY_INCLUDE_DIR}/relacy")
    target_link_libraries(${name}-model PRIVATE itc::itc)
    target_compile_features(${name}-model PRIVATE cxx_std_20)
    # Relacy replaces the global operator new/delete with its own malloc/free (only the unsized
    # delete: hence -fno-sized-deallocation); GCC 12 at -O2 then pairs libstdc++'s inlined
    # operator new with Relacy's free and warns (-Wmismatched-new-delete), and its headers trip
    # -Wextra.
    target_compile_options(${name}-model PRIVATE -fno-sized-deallocation -Wall -Wno-unused-parameter
      -Wno-deprecated-declarations -Wno-class-memaccess -Wno-free-nonheap-object -Wno-mismatched-new-delete)
    if(ITC_WARNINGS_AS_ERRORS)
      target_compile_options(${name}-model PRIVATE -Werror)
    endif()
    if(ARG_TESTS)
      _itc_checker_tests(${name}-model ${ITC_CHECKERS_ROOT}/models/tests/GenerateModelTests.cmake model
                         "${ARG_TEST_PREFIX}")
    endif()
  endif()
endfunction()
