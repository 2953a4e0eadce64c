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
set(CPACK_STRIP_FILES OFF)

set(CPACK_DEBIAN_PACKAGE_NAME "vigil")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# Runtime libraries (Debian 12 names). libpcre2-8-0 is for the rule engine's
# regex operator; it is part of every Debian installation. libdeflate0
# compresses and inflates capture files. libcurl4 (webhook),
# libssl3 (syslog over TLS), libnats3.4 (nats) and libmicrohttpd12 (/metrics)
# are the output stage's.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libbpf1 (>= 1:1.0), libelf1, zlib1g, libdeflate0, libyaml-0-2, libjansson4, libcurl4, libpcre2-8-0, libssl3, libnats3.4, libmicrohttpd12")
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

include(CPack)
