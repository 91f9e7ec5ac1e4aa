# The install rules: `cmake --install <build dir> --prefix P` makes P a CMake package.
#
#   P/include/itc/...                    the library, the platform, the scenario API
#                                        (itc/models/scenario.hpp, litmus.hpp, paths.hpp,
#                                        relacy_platform.hpp)
#                                        and itc/stress/chaos.hpp
#   P/include/itc/broken/...             the deliberately broken primitives: only with
#                                        `cmake --install <build dir> --prefix P --component broken`
#   P/bin/itc-verify                     the matrix, repro, compare, reports (when it was built)
#   P/lib/cmake/itc/itcConfig.cmake      find_package(itc CONFIG): itc::itc, itc::itc-verify,
#                    itcConfigVersion.cmake  itc_add_checkers() (ItcCheckers.cmake)
#   P/share/itc/checkers/...             the runners' sources itc_add_checkers() compiles with your
#                                        catalog (the stress runner, the model runner, Relacy glue)
#   P/share/pkgconfig/itc.pc             for plain include-path users: -I, -pthread, -std=c++20
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(ITC_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/itc)
set(ITC_INSTALL_CHECKERSDIR ${CMAKE_INSTALL_DATADIR}/itc/checkers)

install(TARGETS itc EXPORT itcTargets COMPONENT itc)
install(DIRECTORY primitives/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT itc
        PATTERN broken EXCLUDE)
install(DIRECTORY primitives/include/itc/broken DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/itc COMPONENT broken
        EXCLUDE_FROM_ALL)
install(DIRECTORY models/include/ stress/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT itc)

# What itc_add_checkers() compiles, in the layout it expects under ITC_CHECKERS_ROOT.
install(FILES stress/src/stress_runner.cpp stress/src/stress_check.hpp stress/src/blocked_frames.hpp stress/src/chaos.cpp
              stress/src/litmus_runner.hpp
              stress/src/process.cpp
              stress/src/process.hpp
        DESTINATION ${ITC_INSTALL_CHECKERSDIR}/stress/src COMPONENT itc)
install(FILES stress/tests/GenerateStressTests.cmake DESTINATION ${ITC_INSTALL_CHECKERSDIR}/stress/tests COMPONENT itc)
install(FILES models/src/model_runner.cpp models/src/model_check.hpp
        DESTINATION ${ITC_INSTALL_CHECKERSDIR}/models/src COMPONENT itc)
install(FILES models/tests/GenerateModelTests.cmake DESTINATION ${ITC_INSTALL_CHECKERSDIR}/models/tests COMPONENT itc)

set(ITC_EXPORTED_VERIFY OFF)
if(TARGET itc-verify)
  install(TARGETS itc-verify EXPORT itcTargets COMPONENT itc)
  set(ITC_EXPORTED_VERIFY ON)
endif()
install(EXPORT itcTargets NAMESPACE itc:: DESTINATION ${ITC_INSTALL_CMAKEDIR} COMPONENT itc)

configure_package_config_file(cmake/itcConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/itcConfig.cmake
  INSTALL_DESTINATION ${ITC_INSTALL_CMAKEDIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR ITC_INSTALL_CHECKERSDIR)
# Header-only: any architecture may use it (ARCH_INDEPENDENT), and 0.x releases promise nothing
# across minor versions (SameMinorVersion).
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/itcConfigVersion.cmake
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/itcConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/itcConfigVersion.cmake
              cmake/ItcCheckers.cmake
        DESTINATION ${ITC_INSTALL_CMAKEDIR} COMPONENT itc)

configure_file(cmake/itc.pc.in ${CMAKE_CURRENT_BINARY_DIR}/itc.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/itc.pc DESTINATION ${CMAKE_INSTALL_DATADIR}/pkgconfig COMPONENT itc)
