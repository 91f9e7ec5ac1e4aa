# Writes one add_test per catalog scenario for this checker (stress or tsan).
execute_process(COMMAND ${RUNNER} list --ids OUTPUT_VARIABLE listing RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "itc-stress list failed (${rc})")
endif()
string(REPLACE "\n" ";" ids "${listing}")
set(content "# Generated from `itc-stress list`; do not edit.\n")
foreach(id IN LISTS ids)
  if(id STREQUAL "")
    continue()
  endif()
  string(APPEND content
    "add_test(${PREFIX}${LABEL}.${id} \"${RUNNER}\" run ${id} --quiet)\n"
    "set_tests_properties(${PREFIX}${LABEL}.${id} PROPERTIES LABELS ${LABEL} TIMEOUT 300)\n")
endforeach()
file(WRITE ${OUTPUT} "${content}")
