# Checks that each C++ example prints what its Python original in python/ prints: one test
# example_matches_python.<name> (label: examples) per pair, run by compare_output.sh.
# Included at the end of examples/CMakeLists.txt, once the example targets exist.

# How to compare each pair: `exact` where synchronisation fixes the order of the lines,
# `unordered` where threads interleave by timing (sorted lines and the last line must match).
set(ITC_EXAMPLE_OUTPUT_ORDER
  queue_producer_consumer  unordered
  event_signal             unordered
  condition_data_ready     unordered
  lock_shared_list         exact
  real_example_three_items unordered
  semaphore_pool           unordered
  barrier_rounds           exact)

set(itc_compare_script ${CMAKE_CURRENT_SOURCE_DIR}/compare_output.sh)
set(itc_compared_names "")
list(LENGTH ITC_EXAMPLE_OUTPUT_ORDER itc_pairs_length)
math(EXPR itc_last_index "${itc_pairs_length} - 1")
foreach(index RANGE 0 ${itc_last_index} 2)
  math(EXPR order_index "${index} + 1")
  list(GET ITC_EXAMPLE_OUTPUT_ORDER ${index} name)
  list(GET ITC_EXAMPLE_OUTPUT_ORDER ${order_index} order)
  set(python_source ${CMAKE_CURRENT_SOURCE_DIR}/python/${name}.py)
  if(NOT TARGET ${name})
    message(FATAL_ERROR "compare.cmake: no example target '${name}' (missing examples/${name}.cpp?)")
  endif()
  if(NOT EXISTS ${python_source})
    message(FATAL_ERROR "compare.cmake: missing ${python_source}")
  endif()
  # bash, not the script itself: it works without the executable bit.
  add_test(NAME example_matches_python.${name}
           COMMAND bash ${itc_compare_script} ${order} ${python_source} $<TARGET_FILE:${name}>)
  set_tests_properties(example_matches_python.${name} PROPERTIES LABELS "examples" TIMEOUT 60)
  itc_lane_tests(example_matches_python.${name})
  list(APPEND itc_compared_names ${name})
endforeach()

# A Python program nobody compares is a translation nobody checks: make adding it here mandatory.
file(GLOB itc_python_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/python/*.py)
foreach(python_source ${itc_python_sources})
  get_filename_component(name ${python_source} NAME_WE)
  if(NOT name IN_LIST itc_compared_names)
    message(FATAL_ERROR "compare.cmake: python/${name}.py has no entry in ITC_EXAMPLE_OUTPUT_ORDER")
  endif()
endforeach()
