# BPF integration tests on other kernels and architectures (label "qemu"):
# each test boots a Debian kernel under qemu with this build's vigil and
# tests/bpf binaries (tests/qemu/boot.sh) and checks the hooks vigil chose
# there. Off by default: the tests download kernels from the Debian archive.
# For arm64, configure a cross build (cmake/aarch64-linux-gnu.cmake).
option(VIGIL_QEMU_TESTS "Register the qemu tests (label qemu: Debian kernels under qemu)" OFF)
# The arm64 tests also record a capture in the guest and replay it on this
# host (tests/qemu/boot.sh --capture-replay): with a vigil built for the
# host, by default tests/run.sh's build/ next to this cross build.
set(VIGIL_HOST_VIGIL "${PROJECT_SOURCE_DIR}/build/vigil" CACHE FILEPATH
	"vigil built for the host, to replay the arm64 qemu guest's capture")

# vigil_qemu_test(ARCH SUITE SYSCALL_HOOK "CONCERN=HOOK"...): boot SUITE's
# kernel for ARCH, run vigil there with --syscall-hook SYSCALL_HOOK and expect
# vigil -v to choose each HOOK (a prefix) for its CONCERN.
function(vigil_qemu_test arch suite syscall_hook)
	set(args)
	foreach(hook ${ARGN})
		list(APPEND args --expect-hook ${hook})
	endforeach()
	if(arch STREQUAL arm64)
		list(APPEND args --capture-replay ${VIGIL_HOST_VIGIL})
	endif()
	add_test(NAME qemu.${arch}.${suite}
		COMMAND bash ${PROJECT_SOURCE_DIR}/tests/qemu/boot.sh --arch ${arch} --suite ${suite}
			--build-dir ${PROJECT_BINARY_DIR} --source-dir ${PROJECT_SOURCE_DIR}
			--cc ${CMAKE_C_COMPILER} --strip ${CMAKE_STRIP} --timeout 1200
			--syscall-hook ${syscall_hook} ${args})
	set_tests_properties(qemu.${arch}.${suite} PROPERTIES LABELS qemu TIMEOUT 1500
		RUN_SERIAL TRUE)
endfunction()

if(VIGIL_QEMU_TESTS)
	set(user "user memory at syscall exit")
	set(tps "syscalls=syscalls/sys_exit_<name> tracepoints")
	if(VIGIL_BPF_HOST_ARCH STREQUAL arm64)
		# 6.1: arm64 has no BPF trampoline before 6.4, so fentry and BPF LSM
		# programs load but cannot attach: vigil must fall back.
		# One arm64 kernel hooks syscalls at tp_btf/sys_exit, the other at
		# each syscall's own tracepoint: both ways run on arm64.
		vigil_qemu_test(arm64 bookworm raw "syscalls=tp_btf/sys_exit"
			"open name=${user}" "connect address=${user}" "bind address=${user}")
		vigil_qemu_test(arm64 bookworm-backports auto "${tps}"
			"open name=fentry/do_filp_open"
			"connect address=lsm/socket_connect" "bind address=lsm/socket_bind")
	else()
		vigil_qemu_test(x86_64 bookworm auto "${tps}" "open name=fentry/do_filp_open"
			"connect address=lsm/socket_connect" "bind address=lsm/socket_bind")
	endif()
endif()
