# Build options: one place for every switch.
option(VIGIL_WERROR "Treat warnings as errors (-Wall -Wextra -Werror)" OFF)
option(VIGIL_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(VIGIL_FUZZ "Build libFuzzer targets (needs clang)" OFF)

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
	set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type" FORCE)
endif()

# Flags every userspace target of the project gets.
function(vigil_target_flags target)
	target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter
		-Wshadow -Wformat=2 -fno-strict-aliasing)
	if(VIGIL_WERROR)
		target_compile_options(${target} PRIVATE -Werror)
	endif()
	if(VIGIL_SANITIZE)
		target_compile_options(${target} PRIVATE -fsanitize=address,undefined
			-fno-sanitize-recover=undefined -fno-omit-frame-pointer)
		target_link_options(${target} PRIVATE -fsanitize=address,undefined)
	endif()
endfunction()
