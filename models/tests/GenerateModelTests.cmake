# Writes one add_test per catalog scenario and strategy (run by CTest via TEST_INCLUDE_FILES).
execute_process(COMMAND ${RUNNER} list --ids OUTPUT_VARIABLE listing RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "itc-model list failed (${rc})")
endif()
string(REPLACE "\n" ";" lines "${listing}")
set(content "# Generated from `itc-model list`; do not edit.\n")
foreach(line IN LISTS lines)
  if(line STREQUAL "")
    continue()
  endif()
  set(id "${line}")
  foreach(strategy bound random)
    if(strategy STREQUAL "bound")
      set(args "--strategy bound --bound 2")
      # An exhaustive search: the selfcheck queue shutdown rows explore 8-10 M executions,
      # 78-204 s measured beside another test on 2 cores; the timeout only catches a hang.
      set(timeout 900)
    else()
      set(args "--strategy random --iterations 100000")
      set(timeout 300)
    endif()
    string(APPEND content
      "add_test(${PREFIX}model.${id}.${strategy} \"${RUNNER}\" run ${id} ${args} --quiet)\n"
      "set_tests_properties(${PREFIX}model.${id}.${strategy} PROPERTIES LABELS model TIMEOUT ${timeout})\n")
  endforeach()
endforeach()
file(WRITE ${OUTPUT} "${content}")
