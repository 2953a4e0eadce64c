# Compile the CO-RE BPF programs for x86 and arm64 and generate the libbpf
# skeleton of the target's object: VIGIL_BPF_HOST_ARCH follows
# CMAKE_SYSTEM_PROCESSOR, so a cross build (cmake/aarch64-linux-gnu.cmake)
# embeds the object of the architecture it builds for. The objects need no
# kernel headers of the build host: the type definitions come from
# bpf/vmlinux/<arch>/vmlinux.h.

find_program(VIGIL_CLANG NAMES clang clang-16 clang-15 clang-14 REQUIRED)
find_program(VIGIL_BPFTOOL NAMES bpftool PATHS /usr/sbin /usr/local/sbin REQUIRED)
find_program(VIGIL_LLVM_STRIP NAMES llvm-strip llvm-strip-16 llvm-strip-15 llvm-strip-14)

set(VIGIL_GENERATED_DIR ${CMAKE_BINARY_DIR}/generated)
file(MAKE_DIRECTORY ${VIGIL_GENERATED_DIR})

if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|amd64|AMD64)$")
	set(VIGIL_BPF_HOST_ARCH x86)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
	set(VIGIL_BPF_HOST_ARCH arm64)
else()
	message(FATAL_ERROR "vigil supports x86_64 and arm64, not ${CMAKE_SYSTEM_PROCESSOR}")
endif()

# pkg-config's libbpf include dir holds <bpf/bpf_helpers.h>.
find_path(VIGIL_LIBBPF_INCLUDE bpf/bpf_helpers.h REQUIRED)

file(GLOB VIGIL_BPF_SOURCES CONFIGURE_DEPENDS
	${PROJECT_SOURCE_DIR}/bpf/*.c ${PROJECT_SOURCE_DIR}/bpf/*.h
	${PROJECT_SOURCE_DIR}/include/vigil/*.h)

function(vigil_bpf_object arch)
	set(out ${CMAKE_BINARY_DIR}/bpf/vigil.${arch}.bpf.o)
	set(vmlinux ${PROJECT_SOURCE_DIR}/bpf/vmlinux/${arch}/vmlinux.h)
	add_custom_command(OUTPUT ${out}
		COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/bpf
		COMMAND ${VIGIL_CLANG} -g -O2 -target bpf -D__TARGET_ARCH_${arch}
			-Wall -Werror -Wno-unused-function
			-I${PROJECT_SOURCE_DIR}/bpf/vmlinux/${arch}
			-I${PROJECT_SOURCE_DIR}/include -I${PROJECT_SOURCE_DIR}/bpf
			-I${VIGIL_LIBBPF_INCLUDE}
			-c ${PROJECT_SOURCE_DIR}/bpf/vigil.bpf.c -o ${out}.tmp
		COMMAND ${VIGIL_BPFTOOL} gen object ${out} ${out}.tmp
		COMMAND ${CMAKE_COMMAND} -E remove ${out}.tmp
		DEPENDS ${VIGIL_BPF_SOURCES} ${vmlinux}
		COMMENT "BPF object for ${arch}"
		VERBATIM)
	add_custom_target(vigil_bpf_${arch} ALL DEPENDS ${out})
endfunction()

function(vigil_bpf_skeleton arch)
	set(obj ${CMAKE_BINARY_DIR}/bpf/vigil.${arch}.bpf.o)
	set(skel ${VIGIL_GENERATED_DIR}/vigil.skel.h)
	add_custom_command(OUTPUT ${skel}
		COMMAND ${VIGIL_BPFTOOL} gen skeleton ${obj} name vigil_bpf > ${skel}
		DEPENDS ${obj}
		COMMENT "libbpf skeleton (${arch})"
		VERBATIM)
	add_custom_target(vigil_skel DEPENDS ${skel})
endfunction()
