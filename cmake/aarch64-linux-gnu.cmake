# Cross-compile vigil for arm64 on a Debian x86_64 host:
#
#	cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
#
# Needs gcc-aarch64-linux-gnu and the arm64 libraries through Debian
# multiarch (dpkg --add-architecture arm64; libbpf-dev:arm64 libelf-dev:arm64
# zlib1g-dev:arm64 libdeflate-dev:arm64 (capture files) libzstd-dev:arm64
# libyaml-dev:arm64 libjansson-dev:arm64 libpcre2-dev:arm64 libcmocka-dev:arm64
# libcurl4-openssl-dev:arm64 libssl-dev:arm64 libnats-dev:arm64
# libmicrohttpd-dev:arm64 libsystemd-dev:arm64; see .ci/run). The BPF object that the build
# embeds follows CMAKE_SYSTEM_PROCESSOR (cmake/bpf.cmake): arm64.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# Only the arm64 .pc files: never link the host's libraries.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")

# Programs (clang, bpftool, pkg-config) come from the host; headers and
# libraries from the multiarch directories.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
