# Debian package settings for CPack. The top-level CMakeLists.txt includes this
# file after its install() rules:
#
#	include(packaging/cpack.cmake)
#
# and `cpack --config build/CPackConfig.cmake` (or `cmake --build build
# --target package`) writes vigil_<version>_<arch>.deb. Configure package
# builds with -DCMAKE_INSTALL_PREFIX=/usr so that the binary lands in
# /usr/bin and GNUInstallDirs puts configuration in /etc. This file calls
# include(CPack) itself; do not include it again.
#
# Optional: set VIGIL_DEB_CONFFILES (absolute paths of installed files under
# /etc, e.g. /etc/vigil/vigil.yaml) before including this file to have dpkg
# treat them as conffiles (kept across upgrades when edited locally).

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "vigil")
set(CPACK_PACKAGE_VENDOR "vigil project")
set(CPACK_PACKAGE_CONTACT "vigil maintainers <maintainers@vigil.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "eBPF runtime security monitor")
set(CPACK_PACKAGE_DESCRIPTION
    "vigil captures process, file, network and credential activity with CO-RE eBPF
programs, enriches it with process and container identity, evaluates
Falco-compatible rules and forwards alerts.")
if(DEFINED PROJECT_VERSION AND NOT PROJECT_VERSION STREQUAL "")
  set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
endif()
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
# Debian ships stripped binaries (lintian: unstripped-binary-or-object); the
# BPF objects are data inside the binary and are not touched.
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_PACKAGE_NAME "vigil")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# Runtime libraries: dpkg-shlibdeps (package dpkg-dev) reads them from the
# binary, with the minimal versions the build host's shlibs files give
# (libc6, libbpf1, libelf1, zlib1g, libdeflate0, libyaml-0-2, libjansson4,
# libpcre2-8-0, libcurl4, libssl3, libnats3.4, libmicrohttpd12 on Debian 12).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

# Maintainer scripts: reload systemd's units on install/removal; never start or
# enable the service behind the administrator's back.
set(_vigil_deb_control
    "${CMAKE_CURRENT_LIST_DIR}/debian/postinst"
    "${CMAKE_CURRENT_LIST_DIR}/debian/prerm"
    "${CMAKE_CURRENT_LIST_DIR}/debian/postrm")
if(VIGIL_DEB_CONFFILES)
  list(JOIN VIGIL_DEB_CONFFILES "\n" _vigil_conffiles)
  file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/debian/conffiles" "${_vigil_conffiles}\n")
  list(APPEND _vigil_deb_control "${CMAKE_CURRENT_BINARY_DIR}/debian/conffiles")
endif()
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA "${_vigil_deb_control}")

# Documentation (in every install, not only the package): the README and
# docs/ in /usr/share/doc/vigil with Debian's copyright and changelog (a
# native package's changelog.gz, gzip -9n as policy 12.7 asks), and the
# manual page.
find_program(VIGIL_GZIP gzip REQUIRED)
set(_vigil_doc_gz "")
foreach(_src debian/changelog vigil.1)
  get_filename_component(_name ${_src} NAME)
  set(_gz ${CMAKE_CURRENT_BINARY_DIR}/doc/${_name}.gz)
  add_custom_command(OUTPUT ${_gz}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/doc
    COMMAND ${VIGIL_GZIP} -9nc ${CMAKE_CURRENT_LIST_DIR}/${_src} > ${_gz}
    DEPENDS ${CMAKE_CURRENT_LIST_DIR}/${_src} VERBATIM)
  list(APPEND _vigil_doc_gz ${_gz})
endforeach()
add_custom_target(vigil_docs ALL DEPENDS ${_vigil_doc_gz})
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${CMAKE_CURRENT_LIST_DIR}/debian/copyright
  ${CMAKE_CURRENT_BINARY_DIR}/doc/changelog.gz DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/doc/vigil.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

include(CPack)
