// itc/platform/config.hpp — what every itc header needs from the compiler, checked once.
//
// itc is C++20 (concepts, requires-clauses, std::atomic::wait-era memory model wording). Built
// as C++17 the first error would come from deep inside a primitive; this says what is wrong.
#pragma once

#if !defined(__cplusplus) || __cplusplus < 202002L
#error "itc needs C++20: compile with -std=c++20 (CMake: target_link_libraries(... itc::itc) sets it)"
#endif
